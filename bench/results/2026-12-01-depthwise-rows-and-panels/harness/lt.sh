#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
cd /work/main
exec $J $JOPTS --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp ${CORECP:-core/target/classes}:${NNCP:-nn/target/classes}:bench/target/classes:$(cat /tmp/cp.txt) /tmp/prof/${PROG:-LayerTimes}.java "$@" 2>&1 | grep -v WARNING
