# Sourced by regen.sh and check.sh: list_cases CONF_DIR [CASE...]
# prints the case directories to run, one a line, sorted.
list_cases() {
    local conf="$1"; shift
    if [[ $# -eq 0 ]]; then
        find "$conf" -mindepth 2 -maxdepth 2 -name app.siddhi -printf '%h\n' | sort
        return
    fi
    local c
    for c in "$@"; do
        if [[ -f "$c/app.siddhi" ]]; then
            (cd "$c" && pwd)
        elif [[ -f "$conf/$c/app.siddhi" ]]; then
            echo "$conf/$c"
        else
            echo "no such case: $c" >&2
            return 1
        fi
    done
}
