#!/usr/bin/env python3
"""Search a folder of press releases and print the results as Markdown, with links.

    python3 examples/markdown_search.py [--index DIR] FOLDER QUERY [--since DATE] [--limit N]

The folder (text files and JSON Lines, as the pressindex command reads them) is brought into the
index first (added, changed and deleted releases; the index is created when missing), so running
it again after new releases arrive searches them too. Problems in the folder go to stderr.
Paste the output into a wiki, a chat, or a story's research notes.
"""
import argparse
import os
import sys

import pressindex


def escape(text):
    """Text safe inside Markdown: the characters that would start emphasis, links or code."""
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def emphasised(hit):
    """The paragraph with its matched words in bold: hit.highlights index the str itself."""
    out, last = [], 0
    for start, end in hit.highlights:
        out.append(escape(hit.text[last:start]))
        out.append("**" + escape(hit.text[start:end]) + "**")
        last = end
    out.append(escape(hit.text[last:]))
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder of press releases")
    ap.add_argument("query", help='the query, e.g. \'"Organization of Turkic States"\'')
    ap.add_argument("--index", help="index directory (default: FOLDER.pressindex beside the folder)")
    ap.add_argument("--since", help="only releases dated on or after YYYY[-MM[-DD]]")
    ap.add_argument("--until", help="only releases dated on or before YYYY[-MM[-DD]]")
    ap.add_argument("--limit", type=int, default=10, help="results to show (default 10)")
    args = ap.parse_args()
    index = args.index or os.path.normpath(args.folder) + ".pressindex"

    with pressindex.Index(index, writable=True) as w:
        summary = w.reindex(args.folder)
        for problem in summary.problems:
            print(f"{sys.argv[0]}: {problem}", file=sys.stderr)

    try:
        with pressindex.Index(index) as idx:
            results = idx.search(args.query, since=args.since, until=args.until, limit=args.limit,
                                 by_release=True)
    except pressindex.MalformedQueryError as e:
        where = f"\n  {args.query}\n  {' ' * e.position}^" if e.position is not None else ""
        print(f"{sys.argv[0]}: {e}{where}", file=sys.stderr)
        return 64

    print(f"# {escape(args.query)}\n")
    n = len(results)
    print(f"About {results.total} matching paragraph{'s' if results.total != 1 else ''}"
          + (f"; the best of {n} release{'s' if n != 1 else ''}:" if n else ".") + "\n")
    if results.suggestion:
        print(f"Did you mean *{escape(results.suggestion)}*?\n")
    for hit in results:
        title = escape(hit.title or hit.release)
        heading = f"[{title}]({hit.url})" if hit.url else title
        facts = " · ".join(x for x in (hit.source, hit.date and hit.date.isoformat(),
                                       f"{hit.release}, paragraph {hit.paragraph}") if x)
        print(f"{hit.rank}. **{heading}**  \n   {escape(facts)}\n")
        print(f"   > {emphasised(hit)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
