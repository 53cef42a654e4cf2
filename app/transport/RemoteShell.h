#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>

class QProcess;
class SshTunnel;

// One long-lived shell on an ssh engine's host, over the tunnel's existing ssh connection: commands
// (nvidia-smi for the host's GPUs) run one after another in it, so a poll costs neither a new ssh
// login nor a new process. A command that overruns its timeout takes the shell down; the next
// command starts a fresh one.
class RemoteShell : public QObject
{
    Q_OBJECT

public:
    struct Output
    {
        int exitCode = -1;
        QByteArray text; // stdout and stderr together
    };
    using Done = std::function<void(const Result<Output> &)>;

    explicit RemoteShell(SshTunnel *tunnel, QObject *parent = nullptr);
    ~RemoteShell() override;

    // argv is quoted for the remote sh; done runs once, from the event loop.
    void run(const QStringList &argv, int timeoutMs, Done done);
    QString host() const;
    // How many shell processes this object started (1 while nothing broke).
    int startCount() const { return m_starts; }

private:
    struct Command
    {
        QByteArray line;
        int timeoutMs;
        Done done;
    };
    void startShell();
    void sendNext();
    void onOutput();
    void failAll(const Error &error);

    QPointer<SshTunnel> m_tunnel;
    QProcess *m_shell = nullptr;
    QByteArray m_marker;
    QByteArray m_buffer;
    QList<Command> m_queue; // the first one is running when m_running
    bool m_running = false;
    bool m_waitingForTunnel = false;
    QTimer m_timeout;
    int m_starts = 0;
};
