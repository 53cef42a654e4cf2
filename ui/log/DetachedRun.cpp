#include "log/DetachedRun.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"

DetachedRun::DetachedRun(DockerClient *client, const QString &id, Launcher::State openingState,
                         Errors errors, QObject *parent)
    : LaunchRun(parent), m_client(client), m_id(id), m_openingState(openingState), m_errors(errors)
{
}

DetachedRun::~DetachedRun()
{
    // The streams are the client's children: left open they would stay for nobody.
    for (EngineStream *stream : {static_cast<EngineStream *>(m_stream.data()),
                                 static_cast<EngineStream *>(m_wait.data())}) {
        if (stream) {
            stream->disconnect(this);
            stream->cancel();
            stream->deleteLater();
        }
    }
}

DockerClient *DetachedRun::client() const
{
    return m_client;
}

ContainerStream *DetachedRun::stream() const
{
    return m_stream;
}

void DetachedRun::start()
{
    if (m_state != Launcher::State::Idle)
        return;
    if (!m_client) {
        m_error = Error(Error::Code::ConnectionFailed, tr("The engine is gone."));
        finish(Launcher::State::Failed);
        return;
    }
    m_state = m_openingState;
    emit changed();

    m_stream = openStream(m_client);
    connect(m_stream, &ContainerStream::output, this, &LaunchRun::output);
    connect(m_stream, &ContainerStream::started, this, [this]() {
        if (m_state != Launcher::State::Attaching)
            return;
        m_state = Launcher::State::Running;
        emit changed();
        streamStarted();
    });
    connect(m_stream, &ContainerStream::finished, this, &DetachedRun::onStreamEnded);

    // The exit code: a wait that answers once the container is not running (at once when it has
    // ended already).
    m_wait = m_client->wait(m_id, QStringLiteral("not-running"));
    connect(m_wait, &WaitCall::finished, this, [this]() {
        m_waitDone = true;
        if (const Result<qint64> code = m_wait->result(); code)
            m_exitCode = code.value();
        else if (m_errors == Errors::EndTheRun && !m_error.isError()
                 && code.error().code() != Error::Code::Cancelled)
            m_error = code.error();
        m_wait->deleteLater();
        if (m_streamDone)
            finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
    });
}

void DetachedRun::onStreamEnded()
{
    m_streamDone = true;
    const Error error = m_stream->error();
    m_stream->deleteLater();
    if (m_state != Launcher::State::Running && m_state != Launcher::State::Attaching)
        return;
    if (error.code() == Error::Code::Cancelled) {
        finish(Launcher::State::Cancelled);
        return;
    }
    if (error.isError())
        m_error = error;
    // The stream ends with the container (or with the engine); the exit code comes from the wait.
    if (m_waitDone || !m_wait || (m_errors == Errors::EndTheRun && error.isError()))
        finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
}

void DetachedRun::stop()
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

void DetachedRun::cancel()
{
    if (m_state != Launcher::State::Running && m_state != Launcher::State::Attaching)
        return;
    if (m_wait)
        m_wait->cancel();
    if (m_stream)
        m_stream->cancel();
    finish(Launcher::State::Cancelled);
}

void DetachedRun::finish(Launcher::State state)
{
    if (m_state == Launcher::State::Exited || m_state == Launcher::State::Failed
        || m_state == Launcher::State::Cancelled)
        return;
    m_state = state;
    emit changed();
    emit finished();
}
