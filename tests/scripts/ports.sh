# Sourced by the test scripts. port_taken PORT: whether something listens on TCP port PORT of
# 127.0.0.1 (listeners only: a TIME_WAIT socket does not block a SO_REUSEADDR bind).
port_taken() {
    if command -v ss >/dev/null; then
        [[ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
