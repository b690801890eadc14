#!/usr/bin/env bash
# Install lactamon as a service on Raspberry Pi OS (or any Debian with systemd), from this
# checkout: a system user, a virtual environment in /opt/lactamon, the settings in
# /etc/lactamon, the device key in /var/lib/lactamon, and the systemd units.
#   sudo bash systemd/install.sh            # install or upgrade, enable and start
#   sudo bash systemd/install.sh --no-start # install only
set -euo pipefail

start=yes
for arg in "$@"; do
  case "$arg" in
    --no-start) start=no ;;
    *) echo "install.sh: unknown option '$arg' (known: --no-start)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 2; }

src=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/lactamon
etc=/etc/lactamon
state=/var/lib/lactamon

apt-get install -y -qq python3-venv chrony >/dev/null
id lactamon >/dev/null 2>&1 || useradd --system --home-dir "$state" --shell /usr/sbin/nologin lactamon
usermod -a -G dialout lactamon

python3 -m venv "$prefix/venv"
"$prefix/venv/bin/pip" install -q --upgrade "$src"

install -d -m 0750 -o root -g lactamon "$etc"
if [ ! -f "$etc/lactamon.toml" ]; then
  install -m 0640 -o root -g lactamon "$src/config/examples/lab.toml" "$etc/lactamon.toml"
  echo "installed example settings in $etc/lactamon.toml: edit them, then check them with"
  echo "  $prefix/venv/bin/lactamon config check $etc/lactamon.toml"
fi
install -d -m 0700 -o lactamon -g lactamon "$state"
if [ ! -f "$state/device.key" ]; then
  runuser -u lactamon -- "$prefix/venv/bin/lactamon" keygen --key "$state/device.key"
fi

install -m 0644 "$src/systemd/lactamon.service" /etc/systemd/system/lactamon.service
install -m 0644 "$src/systemd/lactamon-simulator.service" /etc/systemd/system/lactamon-simulator.service
systemctl daemon-reload
if [ "$start" = yes ]; then
  "$prefix/venv/bin/lactamon" config check "$etc/lactamon.toml"
  systemctl enable --now lactamon.service
  systemctl --no-pager status lactamon.service || true
fi
