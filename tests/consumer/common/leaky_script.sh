#!/bin/sh
# A test script that passes but leaves a background job running.
sleep 120 &
echo "started a helper"
exit 0
