#include "RawTerminal.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace {

// What the signal handlers need, in storage they may touch.
struct termios g_saved;
volatile sig_atomic_t g_savedFd = -1;
int g_winchPipe[2] = {-1, -1};

const int kDeadlySignals[] = {SIGTERM, SIGQUIT, SIGHUP};

void onDeadlySignal(int signal)
{
    if (g_savedFd >= 0)
        ::tcsetattr(g_savedFd, TCSANOW, &g_saved); // async-signal-safe
    std::signal(signal, SIG_DFL);
    ::raise(signal);
}

void onWinch(int)
{
    const char byte = 'w';
    [[maybe_unused]] const ssize_t n = ::write(g_winchPipe[1], &byte, 1);
}

} // namespace

RawTerminal::RawTerminal(int fd, QObject *parent) : QObject(parent), m_fd(fd)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_winchPipe) != 0)
        return;
    m_winch = std::make_unique<QSocketNotifier>(g_winchPipe[0], QSocketNotifier::Read);
    connect(m_winch.get(), &QSocketNotifier::activated, this, [this]() {
        char buffer[64];
        [[maybe_unused]] const ssize_t n = ::read(g_winchPipe[0], buffer, sizeof buffer);
        const QSize now = size();
        if (!now.isEmpty())
            emit resized(now);
    });
    std::signal(SIGWINCH, onWinch);
}

RawTerminal::~RawTerminal()
{
    restore();
    if (!m_winch)
        return;
    std::signal(SIGWINCH, SIG_DFL);
    m_winch.reset();
    ::close(g_winchPipe[0]);
    ::close(g_winchPipe[1]);
    g_winchPipe[0] = g_winchPipe[1] = -1;
}

QSize RawTerminal::size() const
{
    struct winsize ws = {};
    if (::ioctl(m_fd, TIOCGWINSZ, &ws) != 0)
        return {};
    return QSize(ws.ws_col, ws.ws_row);
}

bool RawTerminal::makeRaw()
{
    if (m_raw || ::tcgetattr(m_fd, &g_saved) != 0)
        return m_raw;
    struct termios raw = g_saved;
    ::cfmakeraw(&raw);
    g_savedFd = m_fd;
    for (const int signal : kDeadlySignals)
        std::signal(signal, onDeadlySignal);
    if (::tcsetattr(m_fd, TCSANOW, &raw) != 0) {
        restore();
        return false;
    }
    m_raw = true;
    return true;
}

void RawTerminal::restore()
{
    if (g_savedFd < 0)
        return;
    ::tcsetattr(m_fd, TCSANOW, &g_saved);
    g_savedFd = -1;
    for (const int signal : kDeadlySignals)
        std::signal(signal, SIG_DFL);
    m_raw = false;
}
