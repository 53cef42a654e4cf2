#include "RemoteShell.h"

#include "SshTunnel.h"
#include "common/ShellWords.h"

#include <QProcess>
#include <QUuid>

#include <csignal>
#include <sys/prctl.h>

RemoteShell::RemoteShell(SshTunnel *tunnel, QObject *parent)
    : QObject(parent),
      m_tunnel(tunnel),
      m_marker("gpudeck-done-" + QUuid::createUuid().toByteArray(QUuid::Id128))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this]() {
        failAll(Error(Error::Code::Timeout, QStringLiteral("%1 did not answer").arg(host()),
                      QStringLiteral("a command on the host took longer than %1 s")
                          .arg(m_queue.isEmpty() ? 0 : m_queue.first().timeoutMs / 1000)));
    });
}

RemoteShell::~RemoteShell()
{
    if (m_shell) {
        m_shell->disconnect(this);
        m_shell->kill();
        m_shell->waitForFinished(2000);
    }
}

QString RemoteShell::host() const
{
    return m_tunnel ? m_tunnel->target().host : QString();
}

void RemoteShell::run(const QStringList &argv, int timeoutMs, Done done)
{
    QByteArray line;
    for (const QString &word : argv)
        line += ShellWords::quote(word).toUtf8() + ' ';
    // Output first, then the marker with the exit code on a line of its own.
    line += "2>&1 </dev/null; printf '\\n%s %d\\n' " + m_marker + " $?\n";
    m_queue.append({line, timeoutMs, std::move(done)});
    if (!m_running)
        QMetaObject::invokeMethod(this, &RemoteShell::sendNext, Qt::QueuedConnection);
}

void RemoteShell::startShell()
{
    ++m_starts;
    m_buffer.clear();
    m_shell = new QProcess(this);
    m_shell->setProgram(SshTunnel::sshProgram());
    m_shell->setArguments(m_tunnel->commandArguments({QStringLiteral("sh")}));
    m_shell->setStandardErrorFile(QProcess::nullDevice());
    m_shell->setChildProcessModifier([]() { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    connect(m_shell, &QProcess::readyReadStandardOutput, this, &RemoteShell::onOutput);
    QProcess *shell = m_shell;
    connect(m_shell, &QProcess::finished, this, [this, shell]() {
        if (shell != m_shell)
            return;
        m_shell = nullptr;
        shell->deleteLater();
        failAll(Error(Error::Code::Ssh, QStringLiteral("Could not run a command on %1").arg(host()),
                      QStringLiteral("the shell on the host ended")));
    });
    connect(m_shell, &QProcess::errorOccurred, this, [this, shell](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || shell != m_shell)
            return;
        m_shell = nullptr;
        shell->deleteLater();
        failAll(Error(Error::Code::Ssh, QStringLiteral("Could not run a command on %1").arg(host()),
                      QStringLiteral("ssh did not start")));
    });
    m_shell->start();
}

void RemoteShell::sendNext()
{
    if (m_running || m_queue.isEmpty())
        return;
    if (!m_tunnel) {
        failAll(Error(Error::Code::Ssh, QStringLiteral("Could not run a command on the host"),
                      QStringLiteral("the engine's ssh connection is gone")));
        return;
    }
    if (m_tunnel->state() != SshTunnel::State::Up) {
        // Commands go over the engine's connection: bring it up first, once.
        if (!m_waitingForTunnel) {
            m_waitingForTunnel = true;
            connect(
                m_tunnel, &SshTunnel::up, this,
                [this]() {
                    m_waitingForTunnel = false;
                    sendNext();
                },
                Qt::SingleShotConnection);
            connect(
                m_tunnel, &SshTunnel::failed, this,
                [this](const Error &error) {
                    if (!std::exchange(m_waitingForTunnel, false))
                        return;
                    failAll(error);
                },
                Qt::SingleShotConnection);
            m_tunnel->start();
        }
        return;
    }
    if (!m_shell)
        startShell();
    m_running = true;
    m_timeout.start(m_queue.first().timeoutMs);
    m_shell->write(m_queue.first().line);
}

void RemoteShell::onOutput()
{
    if (!m_shell)
        return;
    m_buffer += m_shell->readAllStandardOutput();
    while (m_running) {
        const QByteArray tag = '\n' + m_marker + ' ';
        const qsizetype at = m_buffer.indexOf(tag);
        if (at < 0)
            return;
        const qsizetype end = m_buffer.indexOf('\n', at + tag.size());
        if (end < 0)
            return;
        Output output;
        output.text = m_buffer.left(at);
        output.exitCode = m_buffer.mid(at + tag.size(), end - at - tag.size()).trimmed().toInt();
        m_buffer.remove(0, end + 1);
        m_timeout.stop();
        m_running = false;
        const Command command = m_queue.takeFirst();
        command.done(output);
        sendNext();
    }
}

void RemoteShell::failAll(const Error &error)
{
    m_timeout.stop();
    m_running = false;
    if (m_shell) {
        QProcess *shell = std::exchange(m_shell, nullptr);
        shell->disconnect(this);
        shell->kill();
        shell->deleteLater();
    }
    const QList<Command> queue = std::exchange(m_queue, {});
    for (const Command &command : queue)
        command.done(error);
}
