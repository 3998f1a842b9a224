#!/bin/sh
# Compiler launcher for the header checks: runs the compile command with -fsyntax-only (the check
# needs the front end only; code generation would double its cost) and then creates the object
# file the build expects, so that an unchanged header is not checked again.
out=
prev=
for arg in "$@"; do
    [ "$prev" = "-o" ] && out=$arg
    prev=$arg
done
"$@" -fsyntax-only && touch "$out"
