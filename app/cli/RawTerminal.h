#pragma once

#include <QObject>
#include <QSize>

#include <memory>

class QSocketNotifier;

// The local terminal of `exec -t`: raw mode while the command runs, its old mode back on
// restore(), on destruction, and on SIGTERM, SIGQUIT (Ctrl+\ where the mode still has signals)
// and SIGHUP — the handler restores it before the process dies of the signal. SIGWINCH becomes
// resized on the event loop.
class RawTerminal : public QObject
{
    Q_OBJECT

public:
    explicit RawTerminal(int fd, QObject *parent = nullptr);
    ~RawTerminal() override;

    QSize size() const; // columns x rows; empty when unknown
    bool makeRaw();
    void restore();

signals:
    void resized(const QSize &size);

private:
    int m_fd;
    bool m_raw = false;
    std::unique_ptr<QSocketNotifier> m_winch;
};
