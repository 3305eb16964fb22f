#!/bin/bash
# ab.sh "propA" "propB" reps layers... : each layer in its own JVM, the two settings alternated
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
A="$1"; B="$2"; R=$3; shift 3
for l in "$@"; do
  ra=""; rb=""
  for i in $(seq $R); do
    a=$($J $A --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp /tmp/s46/la:$(cat /tmp/cp.txt) LayerAfter 0 $l 2>/dev/null | awk '{print $2"/"$5}' | tr -d ')')
    b=$($J $B --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp /tmp/s46/la:$(cat /tmp/cp.txt) LayerAfter 0 $l 2>/dev/null | awk '{print $2"/"$5}' | tr -d ')')
    ra="$ra $a"; rb="$rb $b"
  done
  echo "$l | A:$ra | B:$rb"
done
