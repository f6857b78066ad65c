#include "faqgen.h"
int serve_run(const struct options *o) { (void)o; return 2; }
