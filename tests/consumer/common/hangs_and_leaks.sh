#!/bin/sh
# A test script that starts a helper and then hangs: CTest's TIMEOUT 2 fires.
sleep 120 &
sleep 120
