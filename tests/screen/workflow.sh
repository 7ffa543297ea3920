#!/bin/sh
# The whole path through the workbench: prepare (imputation), train (depth),
# read the evaluation, fail the gate and be refused registration, pass it,
# register, approve, then check what the registry holds on disk and that
# the saved pipeline rebuilds the identical model from the command line.
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"

# Prepare: dist1 (10th column) is imputed with the median; i moves it on
st_keys 2
st_wait "split and resampling"
st_wait "test untouched"
st_keys j j j j j j j j j
st_wait_re "dist1 .* median"
st_keys i
st_wait "impute of dist1: mean"
st_wait_re "dist1 .* mean"
# resampling changes the training counts only
st_keys m
st_wait "resampling: undersample"
st_keys m m m m
st_wait "resampling: none"

# Train: lower max_depth to 4 with -, then train
st_keys 3
st_wait "parameters (+/- change, Enter types)"
st_keys j
st_keys - - - -
st_wait_re "^ max_depth +4 *$"
# a gate that this tree cannot meet
st_cmd 'set gate [{"metric": "recall", "op": ">=", "value": 0.99}]'
st_wait "set gate"
st_keys t
st_wait "trained in"
st_wait "gate FAIL"
st_wait "depth 4"
st_wait "is not >= 0.99"
st_cmd "register first try"
st_wait "not registered: gate failed"
[ ! -d "$REG/fraud-detection-model-group/1" ] || { echo "FAIL: registered despite the gate"; exit 1; }

# the Evaluate screen shows the confusion matrix the Train screen reported
cm=$(st_capture | sed -n 's/.*test  *TP \([0-9]*\)  FP \([0-9]*\)  FN \([0-9]*\)  TN \([0-9]*\).*/\1 \2 \3 \4/p')
set -- $cm
[ $# -eq 4 ] || { echo "FAIL: no confusion matrix on the Train screen"; st_capture; exit 1; }
st_keys 4
st_wait_gone "parameters (+/- change"
if ! st_capture | grep -q "not available in this build"; then
	st_wait_re "TN +$4 "
	st_wait_re "FP +$2 "
	st_wait_re "FN +$3 "
	st_wait_re "TP +$1 "
fi
st_keys 3

# the default gate (accuracy >= 0.85) passes
st_cmd 'set gate [{"metric": "accuracy", "op": ">=", "value": 0.85}]'
st_keys t
st_wait "gate PASS"
st_wait "trained, not saved"
st_cmd "save pipeline.json"
st_wait "saved the settings on screen to pipeline.json; they match the model"
st_cmd "register depth 4, mean dist1"
st_wait "registered fraud-detection-model-group/1 (PendingManualApproval)"
st_wait "registered v1"
st_cmd "approve 1 reviewed on the Evaluate screen"
st_wait "PendingManualApproval -> Approved"
st_keys y
st_wait "fraud-detection-model-group/1 is now Approved"

# the run history keeps both runs
st_keys v
st_wait "FAIL"
st_wait "pass"

st_keys q
st_exit_ok

v="$REG/fraud-detection-model-group/1"
for f in model.json evaluation.json pipeline.json manifest.json; do
	[ -s "$v/$f" ] || { echo "FAIL: $v/$f missing"; exit 1; }
done
grep -q '"Approved"' "$v/manifest.json" || { echo "FAIL: manifest not Approved"; exit 1; }
grep -q 'reviewed on the Evaluate screen' "$REG/fraud-detection-model-group/audit.jsonl" || {
	echo "FAIL: approval reason not in the audit log"; exit 1; }
grep -qE '"max_depth":[[:space:]]*4,' "$v/pipeline.json" || { echo "FAIL: depth not in pipeline.json"; exit 1; }
grep -q '"dist1"' "$v/pipeline.json" || { echo "FAIL: dist1 imputation not recorded"; exit 1; }

# the saved pipeline rebuilds the same model headless
"$FT_BIN" run --pipeline "$ST_TMP/pipeline.json" --registry "$ST_TMP/reg2" "$SAMPLE" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: fraudtree run exited $rc"; exit 1; }
cmp "$v/model.json" "$ST_TMP/reg2/fraud-detection-model-group/1/model.json" || {
	echo "FAIL: fraudtree run built a different model"; exit 1; }
echo "workflow: ok"
