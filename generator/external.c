#include "faqgen.h"
int external_report(const struct site *s, int a, int b) { (void)s;(void)a;(void)b; return 2; }
