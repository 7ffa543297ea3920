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
tmux -L "$ST_SOCK" kill-server

# a long file name and a long target name are cut (whole characters) so the
# status bar still shows the model state and the gate at 80 columns
LONG="$ST_TMP/transactions_de_d\303\251cembre_zone_europ\303\251enne_compl\303\250te.csv"
LONG=$(printf "$LONG")
{ head -n 1 "$SAMPLE" | sed 's/isFraud$/fraude_d\xc3\xa9clar\xc3\xa9e_apr\xc3\xa8s_enqu\xc3\xaate_du_service/'
  sed 1d "$SAMPLE"; } >"$LONG"
st_start 80 24 --registry "$REG" "$LONG"
st_wait "loaded 20000 rows"
st_wait_line 23 "^ transactions_d[^|]*… \| 20000 x 14 \| target fraude_d[^|]*… \| no model *$"
st_cmd "train"
st_wait_line 23 "^ tran[^|]*… \| 20000 x 14 \| target fra[^|]*… \| trained, not saved \| gate  (PASS|FAIL) *$"
st_keys q
st_wait "Quit anyway? (y/n)"
st_keys y
st_exit_ok
echo "utf8: ok"
