# Sourced by scripts/demo: BMW CarData against fake BMW endpoints, so a newcomer sees
# `bmw login` complete and car values flow. tools/bmw-fake-cloud.py answers the OAuth
# device flow (it approves after three polls) and the catalogue; a TLS mosquitto with a
# password file stands in for BMW's streaming broker (the fake cloud writes each id_token it
# issues there); a "car" publishes a message every 3 s. Uses: bin, work, data, pids,
# free_port, wait_port from the caller.
bmw_demo_vin=WBADEMO0000000001
bmw_demo_gcid=0b2bc8a1-5f7c-4c1e-9b1f-2f3c4d5e6f70

bmw_demo_setup() {
    local dir=$work/bmw
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Demo BMW CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1
    mosquitto_passwd -b -c "$dir/passwd" nobody nothing
    chmod 644 "$dir/passwd"
    bmw_plain=$(free_port)
    local tls
    tls=$(free_port)
    printf 'user root\nallow_anonymous true\npassword_file %s\nlistener %s 127.0.0.1\nlistener %s 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n' \
        "$dir/passwd" "$bmw_plain" "$tls" "$dir/ca.crt" "$dir/server.crt" "$dir/server.key" > "$dir/mosquitto.conf"
    mosquitto -c "$dir/mosquitto.conf" > "$dir/mosquitto.log" 2>&1 &
    local broker=$!
    pids+=($broker)
    wait_port "$tls" || { echo "demo: BMW's stand-in broker did not start"; return 1; }
    python3 tools/bmw-fake-cloud.py --passwd "$dir/passwd" --broker-pid "$broker" --gcid "$bmw_demo_gcid" \
        > "$dir/cloud.out" 2> "$dir/cloud.err" &
    pids+=($!)
    for _ in $(seq 50); do [ -s "$dir/cloud.out" ] && break; sleep 0.1; done
    local cloud
    cloud=$(head -n1 "$dir/cloud.out")
    local key value
    while read -r key value; do
        "$bin" config set "$key" "$value" --data "$data" >/dev/null \
            || { echo "demo: the gateway refused $key for the BMW demo"; return 1; }
    done <<EOT
bmw.client_id 5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f
bmw.vin $bmw_demo_vin
bmw.mqtt_host localhost
bmw.mqtt_port $tls
bmw.mqtt_ca_file $dir/ca.crt
bmw.auth_url http://127.0.0.1:$cloud/oauth
bmw.catalogue_url http://127.0.0.1:$cloud/catalogue
bmw.enabled true
EOT
    echo "== bmw login against the fake BMW endpoints (they approve after three polls):"
    "$bin" bmw login --data "$data" 2> "$dir/login.log" || { cat "$dir/login.log"; return 1; }
    # The car: a door and the state of charge, as BMW's stream carries them.
    (
        i=0
        while true; do
            i=$((i + 1))
            now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
            door=$([ $((i % 2)) -eq 0 ] && echo true || echo false)
            mosquitto_pub -h 127.0.0.1 -p "$bmw_plain" -q 1 -t "$bmw_demo_gcid/$bmw_demo_vin" -m \
                "{\"vin\":\"$bmw_demo_vin\",\"entityId\":\"$bmw_demo_gcid\",\"topic\":\"$bmw_demo_vin\",\"timestamp\":\"$now\",\"data\":{\"vehicle.cabin.door.row2.driver.isOpen\":{\"timestamp\":\"$now\",\"value\":$door},\"vehicle.drivetrain.batteryManagement.header\":{\"timestamp\":\"$now\",\"value\":\"$((40 + i % 60))\",\"unit\":\"%\"}}}" \
                2>/dev/null || true
            sleep 3
        done
    ) &
    pids+=($!)
    echo "demo: fake BMW CarData on 127.0.0.1:$cloud, its stream broker on localhost:$tls (TLS); car $bmw_demo_vin"
}
