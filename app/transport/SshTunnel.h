#pragma once

#include "PortForwarder.h"
#include "common/Error.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QFileSystemWatcher;
class QProcess;
class QTemporaryDir;
class QTimer;

// Where an ssh:// engine is: the docker CLI's ssh://[user@]host[:port][/remote/socket].
struct SshTarget
{
    QString user;         // empty: ssh's own choice (~/.ssh/config, then the local user)
    QString host;         // a host name, an address or a Host alias of ~/.ssh/config
    int port = 0;         // 0: ssh's own choice
    QString remoteSocket; // the engine's socket on the host
    QString identity;     // a key file to log in with (ssh -i); empty: ssh's own choice

    QString url() const;
};

// One long-lived ssh connection to an engine's host: the system ssh client (so aliases, keys,
// the agent, ProxyJump and known_hosts come from the user's own ssh configuration) as a
// control master that forwards the remote engine socket to a private local socket. Every HTTP
// connection to the engine is then a Unix socket connection to that local end, multiplexed by
// ssh over one session: no new ssh process or authentication per call. ssh runs in batch mode
// (it fails instead of asking), with a connect timeout, and dies with this object or this process.
class SshTunnel : public QObject, public PortForwarder
{
    Q_OBJECT

public:
    enum class State { Down, Starting, Up };
    static constexpr int kConnectTimeoutSeconds = 10;
    // ssh's connect timeout, then key exchange and login; a host that takes longer is down.
    static constexpr int kStartDeadlineMs = (kConnectTimeoutSeconds + 10) * 1000;
    // a killed ssh between closing its sockets and exiting
    static constexpr int kDyingWaitMs = 1000;

    explicit SshTunnel(SshTarget target, QObject *parent = nullptr);
    ~SshTunnel() override;

    const SshTarget &target() const { return m_target; }
    State state() const { return m_state; }
    // The local end of the forward; connect here once up() was emitted.
    QString localSocket() const;
    // For commands over the same connection: ssh -S controlPath() HOST COMMAND.
    QString controlPath() const;
    // The arguments for running `command` on the host over this tunnel's connection.
    QStringList commandArguments(const QStringList &command) const;
    // The ssh client this tunnel runs (found on PATH).
    static QString sshProgram();

    // Starts ssh unless it is running; up() or failed() follows.
    void start();

    // A local forward on the running connection (ssh -O forward -L against the master): this
    // machine's 127.0.0.1:localPort reaches remoteHost:remotePort as the engine's host sees it.
    // done runs once, from the event loop, with an error when ssh refused it (or no error).
    void forwardPort(int localPort, const QString &remoteHost, int remotePort, QObject *context,
                     const std::function<void(const Error &)> &done) override;
    // Ends such a forward (ssh -O cancel).
    void cancelForward(int localPort, const QString &remoteHost, int remotePort) override;

    // After a connection through the tunnel closed without an answer: why, when ssh said so
    // (the remote socket is missing or not allowed) or when ssh itself ended. Empty otherwise.
    Error connectionProblem();
    int startCount() const { return m_starts; }
    // The ssh client's process id while it runs, else 0.
    qint64 processId() const;

signals:
    void up();
    // Starting failed, or a running tunnel ended.
    void failed(const Error &error);

private:
    QStringList controlArguments(const QString &operation, const QString &forward) const;
    void onFinished();
    void checkForwardReady();
    void readStderr();
    Error errorFromStderr(const QString &fallback) const;
    void fail(const Error &error);

    SshTarget m_target;
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess *m_process = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_deadline = nullptr;
    State m_state = State::Down;
    Error m_lastError;
    QString m_stderr;     // everything ssh said since it started (bounded)
    qsizetype m_seen = 0; // how much of it connectionProblem() has looked at
    int m_starts = 0;
};
