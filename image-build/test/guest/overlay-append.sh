
# ---- appended by image-build/test.sh (TEST VARIANT ONLY) ----
# The test agent and its units go into the tmpfs layer, never onto a disk.
cp -a /hifazat-test/. "${rootmnt}/"
