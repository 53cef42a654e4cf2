#include "SshTunnel.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHostAddress>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

namespace {

constexpr qsizetype kMaxStderr = 64 * 1024;

QString lastLine(const QString &text)
{
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QString line = it->trimmed();
        if (!line.isEmpty())
            return line;
    }
    return {};
}

} // namespace

QString SshTarget::url() const
{
    QString url = QStringLiteral("ssh://");
    if (!user.isEmpty())
        url += user + QLatin1Char('@');
    url += host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    if (port > 0)
        url += QLatin1Char(':') + QString::number(port);
    return url + remoteSocket;
}

SshTunnel::SshTunnel(SshTarget target, QObject *parent)
    : QObject(parent), m_target(std::move(target))
{
    // Private to the user, and short: a Unix socket path has a 108-byte limit.
    QString base = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (base.isEmpty() || base.size() > 60 || !QFileInfo(base).isDir())
        base = QDir::tempPath();
    m_dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/gpudeck-ssh-XXXXXX"));
}

SshTunnel::~SshTunnel()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill(); // the master holds nothing worth a graceful exit
        m_process->waitForFinished(2000);
    }
}

qint64 SshTunnel::processId() const
{
    return m_process && m_process->state() != QProcess::NotRunning ? m_process->processId() : 0;
}

QString SshTunnel::localSocket() const
{
    return m_dir->path() + QStringLiteral("/engine.sock");
}

QString SshTunnel::controlPath() const
{
    return m_dir->path() + QStringLiteral("/control");
}

QString SshTunnel::sshProgram()
{
    return QStandardPaths::findExecutable(QStringLiteral("ssh"));
}

QStringList SshTunnel::commandArguments(const QStringList &command) const
{
    QStringList args{QStringLiteral("-S"), controlPath(), QStringLiteral("-o"),
                     QStringLiteral("BatchMode=yes"), QStringLiteral("-T")};
    if (!m_target.user.isEmpty())
        args << QStringLiteral("-l") << m_target.user;
    if (m_target.port > 0)
        args << QStringLiteral("-p") << QString::number(m_target.port);
    args << QStringLiteral("--") << m_target.host;
    return args + command;
}

QStringList SshTunnel::controlArguments(const QString &operation, const QString &forward) const
{
    QStringList args{QStringLiteral("-S"), controlPath(),
                     QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
                     QStringLiteral("-O"), operation,
                     QStringLiteral("-L"), forward};
    if (!m_target.user.isEmpty())
        args << QStringLiteral("-l") << m_target.user;
    if (m_target.port > 0)
        args << QStringLiteral("-p") << QString::number(m_target.port);
    args << QStringLiteral("--") << m_target.host;
    return args;
}

static QString forwardSpec(int localPort, const QString &remoteHost, int remotePort)
{
    const QString host = remoteHost.contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + remoteHost + QLatin1Char(']')
                             : remoteHost;
    return QStringLiteral("127.0.0.1:%1:%2:%3").arg(localPort).arg(host).arg(remotePort);
}

void SshTunnel::forwardPort(int localPort, const QString &remoteHost, int remotePort,
                            QObject *context, const std::function<void(const Error &)> &done)
{
    const QString what = QStringLiteral("Could not forward port %1 of %2 to this machine")
                             .arg(remotePort)
                             .arg(m_target.host);
    if (m_state != State::Up) {
        QMetaObject::invokeMethod(
            context,
            [done, what]() {
                done(Error(Error::Code::Ssh, what,
                           QStringLiteral("the ssh connection to the engine is not up")));
            },
            Qt::QueuedConnection);
        return;
    }
    auto *process = new QProcess(this);
    process->setProgram(sshProgram());
    process->setArguments(controlArguments(QStringLiteral("forward"),
                                           forwardSpec(localPort, remoteHost, remotePort)));
    process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessChannelMode(QProcess::MergedChannels);
    QPointer<QObject> guard(context);
    connect(process, &QProcess::finished, this,
            [process, guard, done, what](int code, QProcess::ExitStatus status) {
                process->deleteLater();
                if (!guard)
                    return;
                if (status == QProcess::NormalExit && code == 0) {
                    done(Error());
                    return;
                }
                const QString said = lastLine(QString::fromLocal8Bit(process->readAll()));
                done(Error(Error::Code::Ssh, what,
                           said.isEmpty() ? QStringLiteral("ssh exited with status %1").arg(code)
                                          : QStringLiteral("ssh: %1").arg(said)));
            });
    connect(process, &QProcess::errorOccurred, this,
            [process, guard, done, what](QProcess::ProcessError error) {
                if (error != QProcess::FailedToStart)
                    return;
                process->deleteLater();
                if (guard)
                    done(
                        Error(Error::Code::Ssh, what,
                              QStringLiteral("ssh did not start: %1").arg(process->errorString())));
            });
    process->start();
}

void SshTunnel::cancelForward(int localPort, const QString &remoteHost, int remotePort)
{
    if (m_state != State::Up)
        return; // the master is gone, and its forwards with it
    auto *process = new QProcess(this);
    process->setProgram(sshProgram());
    process->setArguments(
        controlArguments(QStringLiteral("cancel"), forwardSpec(localPort, remoteHost, remotePort)));
    process->setStandardInputFile(QProcess::nullDevice());
    process->setStandardOutputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice());
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    connect(process, &QProcess::errorOccurred, process, &QObject::deleteLater);
    process->start();
}

void SshTunnel::start()
{
    if (m_state != State::Down)
        return;
    const QString program = sshProgram();
    if (program.isEmpty()) {
        fail(Error(Error::Code::Ssh,
                   QStringLiteral("Could not reach the engine at %1").arg(m_target.url()),
                   QStringLiteral("no ssh client is installed")));
        return;
    }
    if (!m_dir->isValid()) {
        fail(Error(Error::Code::Io,
                   QStringLiteral("Could not reach the engine at %1").arg(m_target.url()),
                   QStringLiteral("no private directory for the ssh tunnel: %1")
                       .arg(m_dir->errorString())));
        return;
    }
    QFile::remove(localSocket());
    QFile::remove(controlPath());
    m_state = State::Starting;
    m_stderr.clear();
    m_seen = 0;
    m_lastError = Error();
    ++m_starts;

    QStringList args{QStringLiteral("-M"),
                     QStringLiteral("-S"),
                     controlPath(),
                     QStringLiteral("-o"),
                     QStringLiteral("ControlPersist=no"),
                     QStringLiteral("-o"),
                     QStringLiteral("BatchMode=yes"),
                     QStringLiteral("-o"),
                     QStringLiteral("ConnectTimeout=%1").arg(kConnectTimeoutSeconds),
                     QStringLiteral("-o"),
                     QStringLiteral("ServerAliveInterval=10"),
                     QStringLiteral("-o"),
                     QStringLiteral("ServerAliveCountMax=3"),
                     QStringLiteral("-o"),
                     QStringLiteral("ExitOnForwardFailure=yes"),
                     QStringLiteral("-o"),
                     QStringLiteral("StreamLocalBindUnlink=yes"),
                     QStringLiteral("-o"),
                     QStringLiteral("StreamLocalBindMask=0177"),
                     QStringLiteral("-N"),
                     QStringLiteral("-T"),
                     QStringLiteral("-L"),
                     localSocket() + QLatin1Char(':') + m_target.remoteSocket};
    if (!m_target.user.isEmpty())
        args << QStringLiteral("-l") << m_target.user;
    if (m_target.port > 0)
        args << QStringLiteral("-p") << QString::number(m_target.port);
    if (!m_target.identity.isEmpty())
        args << QStringLiteral("-i") << m_target.identity;
    args << QStringLiteral("--") << m_target.host;

    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater(); // it has finished; this may run inside its own signal
    }
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(args);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setReadChannel(QProcess::StandardError);
    // No orphaned ssh if this process dies without cleaning up.
    m_process->setChildProcessModifier([]() { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    connect(m_process, &QProcess::readyReadStandardError, this, &SshTunnel::readStderr);
    connect(m_process, &QProcess::finished, this, &SshTunnel::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            fail(Error(Error::Code::Ssh,
                       QStringLiteral("Could not reach the engine at %1").arg(m_target.url()),
                       QStringLiteral("ssh did not start: %1").arg(m_process->errorString())));
        }
    });

    if (!m_watcher) {
        m_watcher = new QFileSystemWatcher(this);
        connect(m_watcher, &QFileSystemWatcher::directoryChanged, this,
                &SshTunnel::checkForwardReady);
    }
    if (!m_watcher->directories().contains(m_dir->path()))
        m_watcher->addPath(m_dir->path());
    if (!m_deadline) {
        m_deadline = new QTimer(this);
        m_deadline->setSingleShot(true);
        connect(m_deadline, &QTimer::timeout, this, [this]() {
            if (m_state != State::Starting)
                return;
            const Error error(
                Error::Code::Timeout,
                QStringLiteral("Could not reach the engine at %1").arg(m_target.url()),
                QStringLiteral("ssh did not connect within %1 s").arg(kStartDeadlineMs / 1000));
            m_process->disconnect(this);
            m_process->kill();
            m_process->waitForFinished(2000);
            fail(error);
        });
    }
    m_deadline->start(kStartDeadlineMs);
    m_process->start();
}

// ssh binds the forward's socket and then listens on it: between the two, connecting is refused.
// Linux lists listening Unix sockets in /proc/net/unix with the accept flag (0x10000) set.
static bool isListening(const QString &path)
{
    QFile table(QStringLiteral("/proc/net/unix"));
    if (!table.open(QIODevice::ReadOnly))
        return QFileInfo::exists(path); // not Linux: the file is the best sign there is
    const QByteArray wanted = path.toLocal8Bit();
    // a /proc file has no size: no atEnd()
    const QList<QByteArray> lines = table.readAll().split('\n');
    for (const QByteArray &untrimmed : lines) {
        const QByteArray line = untrimmed.trimmed();
        if (!line.endsWith(QByteArray(' ' + wanted)))
            continue;
        const QList<QByteArray> fields = line.simplified().split(' ');
        bool ok = false;
        const uint flags = fields.value(3).toUInt(&ok, 16);
        if (ok && (flags & 0x10000u))
            return true;
    }
    return false;
}

void SshTunnel::checkForwardReady()
{
    if (m_state != State::Starting || !QFileInfo::exists(localSocket()))
        return;
    if (!isListening(localSocket())) {
        // a poll bounded by the start deadline
        QTimer::singleShot(5, this, &SshTunnel::checkForwardReady);
        return;
    }
    m_deadline->stop();
    m_state = State::Up;
    emit up();
}

void SshTunnel::readStderr()
{
    if (!m_process)
        return;
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    if (m_stderr.size() > kMaxStderr) {
        const qsizetype cut = m_stderr.size() - kMaxStderr / 2;
        m_stderr.remove(0, cut);
        m_seen = qMax<qsizetype>(0, m_seen - cut);
    }
}

void SshTunnel::onFinished()
{
    readStderr();
    const bool wasUp = m_state == State::Up;
    QString fallback;
    if (m_process->exitStatus() == QProcess::CrashExit)
        fallback = QStringLiteral("ssh was killed");
    else
        fallback = QStringLiteral("ssh exited with status %1").arg(m_process->exitCode());
    Error error = errorFromStderr(fallback);
    if (wasUp) {
        error = Error(
            error.code() == Error::Code::ConnectionFailed ? Error::Code::Ssh : error.code(),
            QStringLiteral("Lost the engine at %1").arg(m_target.url()),
            QStringLiteral("the ssh connection to %1 ended (%2)").arg(m_target.host, error.why()));
    }
    fail(error);
}

void SshTunnel::fail(const Error &error)
{
    if (m_deadline)
        m_deadline->stop();
    m_state = State::Down;
    m_lastError = error;
    emit failed(error);
}

Error SshTunnel::errorFromStderr(const QString &fallback) const
{
    const QString what = QStringLiteral("Could not reach the engine at %1").arg(m_target.url());
    const QString &text = m_stderr;
    const QString host = m_target.host;
    if (text.contains(QLatin1String("REMOTE HOST IDENTIFICATION HAS CHANGED")))
        return Error(
            Error::Code::SshHostKey, what,
            QStringLiteral("the host key of %1 has changed since it was last trusted").arg(host));
    if (text.contains(QLatin1String("Host key verification failed"))
        || text.contains(QRegularExpression(QStringLiteral("No \\S+ host key is known for"))))
        return Error(Error::Code::SshHostKey, what,
                     QStringLiteral("the host key of %1 is not in your known_hosts").arg(host));
    if (text.contains(QLatin1String("Permission denied (")))
        return Error(Error::Code::SshAuth, what,
                     QStringLiteral("the ssh server refused the login (%1)").arg(lastLine(text)));
    if (text.contains(QLatin1String("Could not resolve hostname")))
        return Error(Error::Code::HostNotFound, what,
                     QStringLiteral("the host name %1 is unknown").arg(host));
    for (const char *reason : {"Connection refused", "No route to host", "Network is unreachable",
                               "Connection timed out", "Operation timed out"}) {
        if (text.contains(QLatin1String(reason)))
            return Error(Error::Code::ConnectionFailed, what,
                         QStringLiteral("ssh: %1").arg(QString::fromLatin1(reason).toLower()));
    }
    const QString line = lastLine(text);
    return Error(Error::Code::Ssh, what,
                 line.isEmpty() ? fallback : QStringLiteral("ssh: %1").arg(line));
}

Error SshTunnel::connectionProblem()
{
    if (m_process && m_state != State::Down) {
        m_process->waitForReadyRead(0); // what ssh said before it closed our channel
        readStderr();
        // ssh itself gone? onFinished() records why. A killed ssh closes its sockets before it
        // can be reaped, so a forward that no longer listens means ssh is on its way out: wait
        // for it briefly rather than call the end of the stream a clean one.
        if (m_state == State::Up && !m_process->waitForFinished(0) && !isListening(localSocket()))
            m_process->waitForFinished(kDyingWaitMs);
    }
    if (m_state == State::Down && m_lastError.isError())
        return m_lastError;
    const QString fresh = m_stderr.mid(m_seen);
    m_seen = m_stderr.size();
    if (!fresh.contains(QLatin1String("open failed")))
        return {};
    const QString what = QStringLiteral("Could not reach the engine at %1").arg(m_target.url());
    // sshd tells the client only "connect failed" (its log has the reason): a missing socket and
    // one the ssh user may not open look the same from here.
    if (fresh.contains(QLatin1String("connect failed")))
        return Error(Error::Code::SocketNotFound, what,
                     QStringLiteral("%1 has no engine socket at %2, or the ssh user may not use it")
                         .arg(m_target.host, m_target.remoteSocket));
    if (fresh.contains(QLatin1String("administratively prohibited")))
        return Error(Error::Code::Ssh, what,
                     QStringLiteral("the ssh server on %1 does not allow socket forwarding")
                         .arg(m_target.host));
    return Error(Error::Code::Ssh, what, QStringLiteral("ssh: %1").arg(lastLine(fresh)));
}
