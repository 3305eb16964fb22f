#!/bin/bash
# usage: ab.sh specs impl threads reps variants...
specs=$1; impl=$2; th=$3; reps=$4; shift 4
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin
for r in $(seq $reps); do for v in "$@"; do
  $J/java --add-modules=jdk.incubator.vector -Drounds=2 -cp /tmp/s33/cls-$v:/tmp/s33 Cmp $specs $impl $th 2>&1 | grep "round 1" | sed "s/^/$v /"
done; done
