#!/bin/sh
# UTF-8 column names and values keep the grid aligned (display width, not
# bytes), and a missing cell is marked.
. "$FT_SRCDIR/tests/screen/lib.sh"
[ -n "$ST_LOCALE" ] || { echo "no UTF-8 locale: skipped"; exit 77; }

printf 'ville,montant\342\202\254,fraude\nZ\303\274rich,12.5,0\n\346\235\261\344\272\254,7,1\nS\303\243o Paulo,,0\n\303\205re,3,0\n' >"$ST_TMP/villes.csv"
st_start 80 24 --registry "$REG" "$ST_TMP/villes.csv"
st_wait "loaded 4 rows x 3 columns"
# the amounts line up in one column whatever the width of the city names
st_wait " 1 Zürich        12.5      0"
st_wait " 2 東京             7      1"
st_wait " 3 São Paulo        ·      0"
st_keys l
st_wait "column 2/3: montant€"
st_wait "missing   1 (25.0%)"
st_keys q
st_exit_ok
echo "utf8: ok"
