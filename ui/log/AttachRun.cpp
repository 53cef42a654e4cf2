#include "log/AttachRun.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"

AttachRun::AttachRun(DockerClient *client, const QString &id, QObject *parent)
    : LaunchRun(parent), m_client(client), m_id(id)
{
}

AttachRun::~AttachRun()
{
    // The streams are the client's children: left open they would stay attached for nobody.
    for (EngineStream *stream : {static_cast<EngineStream *>(m_stream.data()),
                                 static_cast<EngineStream *>(m_wait.data())}) {
        if (stream) {
            stream->disconnect(this);
            stream->cancel();
            stream->deleteLater();
        }
    }
}

void AttachRun::start()
{
    if (m_state != Launcher::State::Idle)
        return;
    if (!m_client) {
        m_error = Error(Error::Code::ConnectionFailed, tr("The engine is gone."));
        finish(Launcher::State::Failed);
        return;
    }
    m_state = Launcher::State::Attaching;
    emit changed();

    m_stream = m_client->attach(m_id, true, true);
    connect(m_stream, &ContainerStream::output, this, &LaunchRun::output);
    connect(m_stream, &ContainerStream::started, this, [this]() {
        if (m_state != Launcher::State::Attaching)
            return;
        m_state = Launcher::State::Running;
        emit changed();
        if (m_rows > 0)
            resize(m_rows, m_columns);
    });
    connect(m_stream, &ContainerStream::finished, this, &AttachRun::onStreamEnded);

    m_wait = m_client->wait(m_id, QStringLiteral("not-running"));
    connect(m_wait, &WaitCall::finished, this, [this]() {
        m_waitDone = true;
        if (const Result<qint64> code = m_wait->result(); code)
            m_exitCode = code.value();
        else if (!m_error.isError() && code.error().code() != Error::Code::Cancelled)
            m_error = code.error();
        m_wait->deleteLater();
        if (m_streamDone)
            finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
    });
}

void AttachRun::onStreamEnded()
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
    // The attach ends with the container (or with the engine); the exit code comes from the wait.
    if (m_waitDone || !m_wait || error.isError())
        finish(m_exitCode ? Launcher::State::Exited : Launcher::State::Failed);
}

void AttachRun::write(const QByteArray &bytes)
{
    if (m_stream && m_state == Launcher::State::Running)
        m_stream->write(bytes);
}

void AttachRun::resize(int rows, int columns)
{
    m_rows = rows;
    m_columns = columns;
    if (!m_client || m_state != Launcher::State::Running || rows <= 0 || columns <= 0)
        return;
    m_client->call(
        "POST", QStringLiteral("/containers/%1/resize?h=%2&w=%3").arg(m_id).arg(rows).arg(columns),
        {}, tr("Could not resize the container's terminal"), this,
        [](const Result<QByteArray> &) {});
}

void AttachRun::stop()
{
    if (m_state != Launcher::State::Running || !m_client)
        return;
    emit note(tr("Stopping the container…"));
    m_client->call("POST", QStringLiteral("/containers/%1/stop").arg(m_id), {},
                   tr("Could not stop the container"), this,
                   [this](const Result<QByteArray> &result) {
                       if (!result)
                           emit note(result.error().message());
                   });
}

void AttachRun::cancel()
{
    if (m_state != Launcher::State::Running && m_state != Launcher::State::Attaching)
        return;
    if (m_wait)
        m_wait->cancel();
    if (m_stream)
        m_stream->cancel();
    finish(Launcher::State::Cancelled);
}

void AttachRun::finish(Launcher::State state)
{
    if (m_state == Launcher::State::Exited || m_state == Launcher::State::Failed
        || m_state == Launcher::State::Cancelled)
        return;
    m_state = state;
    emit changed();
    emit finished();
}
