#pragma once

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>

class QSocketNotifier;

// This process's stdin, passed on byte-exact as it comes (exec -i, run -i): each read to onData,
// end-of-file (or a read error) to onEnd, once.
class StdinPump
{
public:
    StdinPump(QObject *context, std::function<void(const QByteArray &)> onData,
              std::function<void()> onEnd);
    ~StdinPump();
    StdinPump(const StdinPump &) = delete;
    StdinPump &operator=(const StdinPump &) = delete;

    void stop();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};
