#!/usr/bin/env python3
"""typo-queries.py: queries for bench/search-titles.js from a corpus.

    python3 bench/typo-queries.py CONTENT [N] > QUERIES.tsv

Takes N (default 100) question titles spread over CONTENT (made by
gen-corpus), and writes each as a reader might type it wrong: one
ideograph but the first and last replaced by another common one (seeded,
so the same corpus gives the same file), 怎么办 and question marks
dropped; then TAB and the title itself.
"""
import os
import random
import re
import sys

COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可"
          "主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家"
          "电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合"
          "还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
          "看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: typo-queries.py CONTENT [N]")
    root, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root)
                   for f in fs if re.fullmatch(r"q-\d+\.md", f))
    step = max(1, (len(files) + n - 1) // n)
    rng = random.Random(7)
    for path in files[::step][:n]:
        with open(path, encoding="utf-8") as fh:
            m = re.search(r'^title: "(.*)"$', fh.read(), re.M)
        if not m:
            continue
        title = m.group(1)
        cs = list(title)
        ideo = [i for i, c in enumerate(cs) if "\u4e00" <= c <= "\u9fff"]
        at = rng.choice(ideo[1:-1] if len(ideo) > 2 else ideo)
        cs[at] = rng.choice(COMMON)
        q = "".join(cs).replace("怎么办", "").replace("？", "")
        print(f"{q}\t{title}")


if __name__ == "__main__":
    main()
