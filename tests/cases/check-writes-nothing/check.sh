#!/bin/sh
# check must not create the output folder
[ ! -e "$1" ] || { echo "check wrote $1"; exit 1; }
