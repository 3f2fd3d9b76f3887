#!/bin/sh
# One machine, the whole HA layout (docs/ha.md): PostgreSQL, VictoriaMetrics, three Vigil
# replicas and nginx, from Debian's packages. For a trial; in production put the replicas, the
# database and the balancer on separate machines. Run as root from this directory.
set -eu

apt-get install -y postgresql victoria-metrics nginx

# The state database.
password=$(head -c 18 /dev/urandom | base64)
runuser -u postgres -- psql -v ON_ERROR_STOP=1 -c "CREATE ROLE vigil LOGIN PASSWORD '$password'"
runuser -u postgres -- createdb -O vigil vigil

# The metrics store: Debian's unit listens on :8428 (set -httpListenAddr=127.0.0.1:8428 in
# /etc/default/victoria-metrics to keep it on loopback).
systemctl enable --now victoria-metrics

# Vigil.
id vigil >/dev/null 2>&1 || useradd --system --home /var/lib/vigil --shell /usr/sbin/nologin vigil
install -d -m 0755 /etc/vigil
install -m 0644 vigil.yaml /etc/vigil/vigil.yaml
sed "s|CHANGE-ME|$password|" vigil.env > /etc/vigil/vigil.env
chmod 0600 /etc/vigil/vigil.env
install -m 0644 vigil@.service /etc/systemd/system/vigil@.service
systemctl daemon-reload
# The first replica creates the schema and the first admin (its log shows the one-time password);
# the others start once it is ready.
systemctl enable --now vigil@1
until curl -fsS http://127.0.0.1:8081/health/ready >/dev/null; do sleep 1; done
systemctl enable --now vigil@2 vigil@3

# The balancer.
install -m 0644 nginx.conf /etc/nginx/conf.d/vigil.conf
nginx -t && systemctl reload nginx

echo "Vigil: https://vigil.example.com (edit server_name and the certificate in /etc/nginx/conf.d/vigil.conf)"
echo "The admin's one-time password: journalctl -u vigil@1 | grep -i password"
