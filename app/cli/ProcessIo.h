#pragma once

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>

class QSocketNotifier;

// What the launching commands (run, swarm run) share with the process around them.
namespace ProcessIo {

// Byte-exact output: straight to the descriptor, no text codec, no buffering surprises.
bool writeAll(int fd, const QByteArray &data);

// While it lives, SIGINT and SIGTERM call onStop on the event loop (through a socket pair, the one
// thing a signal handler may safely do), as docker run's signal proxy does; then the defaults
// come back.
class StopSignals
{
public:
    StopSignals(QObject *context, std::function<void()> onStop);
    ~StopSignals();
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace ProcessIo
