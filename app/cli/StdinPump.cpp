#include "StdinPump.h"

#include <QSocketNotifier>

#include <cerrno>
#include <unistd.h>

namespace {

constexpr qsizetype kReadChunk = 64 * 1024;

} // namespace

StdinPump::StdinPump(QObject *context, std::function<void(const QByteArray &)> onData,
                     std::function<void()> onEnd)
    : m_notifier(std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read))
{
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, context,
                     [this, onData = std::move(onData), onEnd = std::move(onEnd)]() {
                         QByteArray buffer(kReadChunk, Qt::Uninitialized);
                         const ssize_t n = ::read(STDIN_FILENO, buffer.data(),
                                                  size_t(buffer.size()));
                         if (n < 0 && (errno == EINTR || errno == EAGAIN))
                             return;
                         if (n <= 0) {
                             stop();
                             onEnd();
                             return;
                         }
                         buffer.truncate(n);
                         onData(buffer);
                     });
}

StdinPump::~StdinPump() = default;

void StdinPump::stop()
{
    m_notifier->setEnabled(false);
}
