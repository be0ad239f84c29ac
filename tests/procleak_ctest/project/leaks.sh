# A script test that leaves a sleep behind (at most a minute).
sleep 60 &
exit 0
