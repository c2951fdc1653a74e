#!/bin/sh
# Generates the synthetic demo media in this folder: harmless pictures
# (landscapes, shapes, patterns) and one short video, safe to show on a
# projector. media/ is the demo mode's media root: every folder in it is one
# "device" (DEMO-PHONE, laid out like a phone's memory card). Made with ImageMagick and ffmpeg from Debian; the outputs are
# committed so that the kiosk's demo mode and screenshots do not depend on
# the tool versions. Re-run only to change the set:  assets/demo/generate.sh
set -eu
cd "$(dirname "$0")"
out=media/DEMO-PHONE
rm -rf media
mkdir -p "$out/DCIM/Camera" "$out/Pictures/WhatsApp"
c() { convert "$@" 2>/dev/null; }
W=800; H=600

c -size ${W}x${H} gradient:'#ffcf8a'-'#ff6f61' \
  -fill '#fff3c4' -draw 'circle 400,380 400,300' \
  -fill '#2f4858' -draw "rectangle 0,430 $W,$H" \
  -quality 88 "$out/DCIM/Camera/IMG_0001.jpg"                      # sunset over the sea
c -size ${W}x${H} gradient:'#9ad0f5'-'#e8f6ff' \
  -fill '#5b8c5a' -draw "polygon 0,600 250,250 500,600" -draw "polygon 300,600 560,200 800,600" \
  -fill white -draw "polygon 210,300 250,250 290,300" -draw "polygon 520,250 560,200 600,250" \
  -quality 88 "$out/DCIM/Camera/IMG_0002.jpg"                      # mountains
c -size ${W}x${H} xc:'#f6efe6' \
  -fill '#e07a5f' -draw 'circle 250,300 250,180' -fill '#81b29a' -draw 'circle 450,260 450,170' \
  -fill '#f2cc8f' -draw 'circle 600,360 600,270' -fill '#3d405b' -draw "rectangle 0,520 $W,$H" \
  -quality 88 "$out/DCIM/Camera/IMG_0003.jpg"                      # fruit on a table
c -seed 11 -size ${W}x${H} plasma:'#4b7f52'-'#c9e4ca' -blur 0x2 \
  -quality 88 "$out/DCIM/Camera/IMG_0004.jpg"                      # leaves (pattern)
c -seed 5 -size ${W}x${H} plasma:'#264653'-'#e9c46a' -swirl 120 \
  -quality 88 "$out/DCIM/Camera/IMG_0005.jpg"                      # abstract swirl
c -size ${H}x${W} gradient:'#a8dadc'-'#1d3557' \
  -fill '#f1faee' -draw 'circle 300,200 300,140' -fill '#e63946' -draw 'rectangle 260,420 340,700' \
  -quality 88 "$out/DCIM/Camera/IMG_0006.jpg"                      # portrait-format lighthouse
c -size ${W}x${H} gradient:'#bde0fe'-'#e8f4ff' \
  -fill '#ff006e' -draw 'polygon 520,140 600,220 520,300 440,220' \
  -stroke '#3a3a3a' -strokewidth 3 -draw 'line 520,300 380,560' -stroke none \
  -fill '#8ac926' -draw "rectangle 0,540 $W,$H" \
  -quality 88 "$out/DCIM/Camera/IMG_0007.jpg"                      # a kite in the sky
c -size ${W}x${H} gradient:'#caf0f8'-'#0077b6' \
  -fill white -draw 'polygon 200,420 260,250 260,420' -draw 'polygon 520,440 580,230 580,440' \
  -fill '#6b4226' -draw 'polygon 170,430 300,430 280,460 190,460' \
  -draw 'polygon 490,450 620,450 600,480 510,480' \
  -quality 88 "$out/DCIM/Camera/IMG_0008.jpg"                      # two sailing boats
c -size ${W}x${H} xc:'#d9d4cc' \
  -quality 88 "$out/DCIM/Camera/IMG_0009.jpg"                      # a plain wall: a weak fingerprint
c -size ${W}x${H} gradient:'#ffb4a2'-'#6d597a' \
  -fill '#355070' -draw 'rectangle 60,300 160,600' -draw 'rectangle 190,220 300,600' \
  -draw 'rectangle 330,340 420,600' -draw 'rectangle 450,180 560,600' -draw 'rectangle 590,280 720,600' \
  -quality 88 "$out/DCIM/Camera/IMG_0010.jpg"                      # a city at dusk
c -size ${W}x${H} xc:'#fefae0' \
  -fill '#dda15e' -draw 'roundrectangle 280,260 520,500 30,30' \
  -fill '#fefae0' -draw 'roundrectangle 300,280 500,330 20,20' \
  -fill none -stroke '#dda15e' -strokewidth 22 -draw 'ellipse 540,380 60,70 -90,90' \
  -quality 88 "$out/DCIM/Camera/IMG_0011.jpg"                      # a cup of tea
c -size 640x640 pattern:checkerboard -fill '#ffb703' -colorize 40 \
  "$out/Pictures/WhatsApp/IMG-20240101-WA0001.png"                # checkerboard (PNG)
c -size 640x480 radial-gradient:'#ffffff'-'#219ebc' \
  -fill '#023047' -draw 'circle 320,240 320,200' \
  -quality 85 "$out/Pictures/WhatsApp/IMG-20240102-WA0002.jpg"    # a drop of water
c -seed 3 -size 512x512 plasma:'#fb8500'-'#8ecae6' \
  -define webp:lossless=false -quality 85 "$out/Pictures/WhatsApp/sticker.webp"
c -size 720x540 gradient:'#cdb4db'-'#ffc8dd' -fill '#bde0fe' \
  -draw 'roundrectangle 160,120 560,420 40,40' -quality 80 "$out/Pictures/flower-card.heic"
# A short harmless video: 4 s of a moving pattern.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=4" \
  -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p -movflags +faststart \
  "$out/DCIM/Camera/VID_0001.mp4"
ls -R "$out"
