#!/bin/bash
# derive.sh DIR: writes into DIR the two harnesses this page derives from earlier pages' (no copies kept here):
# LayerToggle.java (the 2026-12-03-zen4-gathered-input page's, with -Dnone=true for no activation) and InNetworkB.java
# (the 2026-12-03-zen4-mobilenet-layers page's InNetwork, with a fourth argument: the batch).
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
sed 's/impl.forward(s, x, p, b, y, Epilogue.clip(0, 6), ex)/impl.forward(s, x, p, b, y, Boolean.getBoolean("none") ? Epilogue.NONE : Epilogue.clip(0, 6), ex)/' \
    "$here/../../2026-12-03-zen4-gathered-input/harness/LayerToggle.java" > "$1/LayerToggle.java"
sed -e 's/public class InNetwork/public class InNetworkB/' \
    -e 's/int threads = Integer.parseInt(a\[1\]), reps = Integer.parseInt(a\[2\]);/int threads = Integer.parseInt(a[1]), reps = Integer.parseInt(a[2]), B = Integer.parseInt(a[3]);/' \
    -e 's/DType.F32, 1, 3, 224, 224/DType.F32, B, 3, 224, 224/' -e 's/new float\[3 \* 224 \* 224\]/new float[B * 3 * 224 * 224]/' \
    -e 's/new long\[\] {1, 3, 224, 224}/new long[] {B, 3, 224, 224}/' \
    "$here/../../2026-12-03-zen4-mobilenet-layers/harness/InNetwork.java" > "$1/InNetworkB.java"
grep -q 'getBoolean("none")' "$1/LayerToggle.java" && grep -q '{B, 3, 224, 224}' "$1/InNetworkB.java"
echo "wrote $1/LayerToggle.java and $1/InNetworkB.java"
