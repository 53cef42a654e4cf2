#include "log/FollowRun.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"

FollowRun::FollowRun(DockerClient *client, const QString &id, bool tty, int tail, QObject *parent)
    : LaunchRun(parent), m_client(client), m_id(id), m_tty(tty), m_tail(tail)
{
}

FollowRun::~FollowRun()
{
    // The streams are the client's children: left open they would follow for nobody.
    for (EngineStream *stream :
         {static_cast<EngineStream *>(m_logs.data()), static_cast<EngineStream *>(m_wait.data())}) {
        if (stream) {
            stream->disconnect(this);
            stream->cancel();
            stream->deleteLater();
        }
    }
}

void FollowRun::start()
{
    if (m_state != Launcher::State::Idle)
        return;
    if (!m_client) {
        m_error = Error(Error::Code::ConnectionFailed, tr("The engine is gone."));
        finish(Launcher::State::Failed);
        return;
    }
    m_state = Launcher::State::Running;
    emit changed();

    m_logs = m_client->logs(m_id, m_tty, true, m_tail);
    connect(m_logs, &ContainerStream::output, this, &LaunchRun::output);
    connect(m_logs, &ContainerStream::finished, this, &FollowRun::onLogsEnded);

    // The exit code: a wait that answers once the container is not running (at once when it has
    // ended already).
    m_wait = m_client->wait(m_id, QStringLiteral("not-running"));
    connect(m_wait, &WaitCall::finished, this, [this]() {
        m_waitDone = true;
        if (const Result<qint64> code = m_wait->result(); code)
            m_exitCode = code.value();
        m_wait->deleteLater();
        if (m_logsDone)
            finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
    });
}

void FollowRun::onLogsEnded()
{
    m_logsDone = true;
    const Error error = m_logs->error();
    m_logs->deleteLater();
    if (m_state != Launcher::State::Running)
        return;
    if (error.code() == Error::Code::Cancelled) {
        finish(Launcher::State::Cancelled);
        return;
    }
    if (error.isError())
        m_error = error;
    // The logs end with the container; its exit code follows from the wait.
    if (m_waitDone || !m_wait)
        finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
}

void FollowRun::stop()
{
    if (m_state != Launcher::State::Running || !m_client)
        return;
    emit note(tr("Stopping the container…"));
    // No t: the container's own stop timeout, else the engine's default grace period.
    m_client->call("POST", QStringLiteral("/containers/%1/stop").arg(m_id), {},
                   tr("Could not stop the container"), this,
                   [this](const Result<QByteArray> &result) {
                       if (!result)
                           emit note(result.error().message());
                   });
}

void FollowRun::cancel()
{
    if (m_state != Launcher::State::Running)
        return;
    if (m_wait)
        m_wait->cancel();
    if (m_logs)
        m_logs->cancel();
    finish(Launcher::State::Cancelled);
}

void FollowRun::finish(Launcher::State state)
{
    if (m_state == Launcher::State::Exited || m_state == Launcher::State::Failed
        || m_state == Launcher::State::Cancelled)
        return;
    m_state = state;
    emit changed();
    emit finished();
}
