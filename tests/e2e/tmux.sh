# Shared by the tmux-driven workbench tests: source after lib.sh. Gives a
# private tmux server ($S), an isolated home and a copy of the sample in
# $T/list.csv, and screen / keys / wait_for.
command -v tmux >/dev/null || { echo "$(basename "$0" .sh): 0 passed, 1 failed"; echo "FAIL tmux missing"; exit 1; }
S=mv-$(basename "$0" .sh)-$$
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"
cp samples/contacts.csv "$T/list.csv"
tmux_cmd() { tmux -L "$S" "$@"; }
screen() { tmux_cmd capture-pane -p -t "$S"; }
keys() { tmux_cmd send-keys -t "$S" "$@"; sleep 0.3; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT
wait_for() {
	local i=0 n=$(( ${2:-10} * 10 ))
	while [ $i -lt $n ]; do screen | grep -qF -- "$1" && return 0; sleep 0.1; i=$((i + 1)); done
	echo "  screen when waiting for '$1':"; screen | sed 's/^/  | /'; return 1
}
trap 'tmux_cmd kill-server 2>/dev/null; rm -rf "$T"' EXIT
