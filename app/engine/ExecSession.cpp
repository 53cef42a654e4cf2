#include "ExecSession.h"

#include "ContainerStream.h"
#include "DockerClient.h"
#include "http/HttpClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrl>

#include <utility>

namespace {

QString encoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

// The engine may answer the inspect a moment before it marks the process as ended, and refuse a
// resize a moment before the process exists: both are asked again, within a bound.
constexpr int kRetryMs = 50;
constexpr int kExitCodeAttempts = 100;
constexpr int kResizeAttempts = 10;

} // namespace

ExecSession::ExecSession(DockerClient *client, QString container, Options options, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_container(std::move(container)),
      m_options(std::move(options)),
      m_calls(new QObject(this))
{
}

ExecSession::~ExecSession()
{
    if (m_stream)
        m_stream->cancel();
}

void ExecSession::start()
{
    if (!m_client) {
        finish(Error(Error::Code::Cancelled, QStringLiteral("Could not run the command"),
                     QStringLiteral("the engine is gone")));
        return;
    }
    QJsonObject body{
        {QStringLiteral("AttachStdin"), m_options.interactive},
        {QStringLiteral("AttachStdout"), true},
        {QStringLiteral("AttachStderr"), true},
        {QStringLiteral("Tty"), m_options.tty},
        {QStringLiteral("Cmd"), QJsonArray::fromStringList(m_options.command)},
    };
    if (!m_options.user.isEmpty())
        body.insert(QStringLiteral("User"), m_options.user);
    if (!m_options.workingDir.isEmpty())
        body.insert(QStringLiteral("WorkingDir"), m_options.workingDir);
    if (!m_options.env.isEmpty())
        body.insert(QStringLiteral("Env"), QJsonArray::fromStringList(m_options.env));
    m_client->call("POST", QStringLiteral("/containers/%1/exec").arg(encoded(m_container)),
                   QJsonDocument(body).toJson(QJsonDocument::Compact),
                   QStringLiteral("Could not run the command in container %1").arg(m_container),
                   m_calls, [this](const Result<QByteArray> &result) {
                       if (!result) {
                           finish(result.error());
                           return;
                       }
                       const QString id = QJsonDocument::fromJson(result.value())
                                              .object()
                                              .value(QStringLiteral("Id"))
                                              .toString();
                       if (id.isEmpty()) {
                           finish(Error(Error::Code::Protocol,
                                        QStringLiteral("Could not run the command"),
                                        QStringLiteral("the engine's answer has no exec id")));
                           return;
                       }
                       onCreated(id);
                   });
}

void ExecSession::onCreated(const QString &execId)
{
    m_execId = execId;
    auto *stream = new ContainerStream(m_options.tty, m_client->endpoint(), this);
    m_stream = stream;
    connect(stream, &ContainerStream::started, this, [this]() {
        m_started = true;
        if (!m_pending.isEmpty())
            m_stream->write(std::exchange(m_pending, {}));
        if (m_stdinClosed)
            m_stream->closeStdin();
        if (m_options.tty && m_options.rows > 0 && m_options.columns > 0)
            sendResize(0);
        emit started();
    });
    connect(stream, &ContainerStream::output, this, &ExecSession::output);
    connect(stream, &ContainerStream::finished, this, &ExecSession::onStreamFinished);

    HttpRequest request = HttpRequest::post(
        m_client->versioned(QStringLiteral("/exec/%1/start").arg(encoded(execId))),
        QJsonDocument(
            QJsonObject{{QStringLiteral("Detach"), false}, {QStringLiteral("Tty"), m_options.tty}})
            .toJson(QJsonDocument::Compact));
    request.stream = true;
    request.upgrade = true;
    stream->bind(m_client->http()->send(request), QStringLiteral("Could not run the command"));
}

void ExecSession::write(const QByteArray &data)
{
    if (m_finished || m_stdinClosed || data.isEmpty())
        return;
    if (m_started && m_stream)
        m_stream->write(data);
    else
        m_pending.append(data);
}

void ExecSession::closeStdin()
{
    if (m_stdinClosed)
        return;
    m_stdinClosed = true;
    if (m_started && m_stream)
        m_stream->closeStdin();
}

void ExecSession::resize(int rows, int columns)
{
    if (rows <= 0 || columns <= 0)
        return;
    m_options.rows = rows;
    m_options.columns = columns;
    if (m_started && !m_finished && m_options.tty)
        sendResize(0);
}

void ExecSession::sendResize(int attempt)
{
    const int rows = m_options.rows;
    const int columns = m_options.columns;
    if (!m_client || (rows == m_sentRows && columns == m_sentColumns))
        return;
    m_client->call(
        "POST",
        QStringLiteral("/exec/%1/resize?h=%2&w=%3").arg(encoded(m_execId)).arg(rows).arg(columns),
        {}, QStringLiteral("Could not resize the terminal"), m_calls,
        [this, rows, columns, attempt](const Result<QByteArray> &result) {
            if (result) {
                m_sentRows = rows;
                m_sentColumns = columns;
            } else if (attempt + 1 < kResizeAttempts && !m_finished) {
                QTimer::singleShot(kRetryMs, m_calls,
                                   [this, attempt]() { sendResize(attempt + 1); });
            }
        });
}

void ExecSession::cancel()
{
    if (m_stream)
        m_stream->cancel();
    else if (!m_finished)
        finish(Error(Error::Code::Cancelled, QStringLiteral("The command was cancelled")));
}

void ExecSession::onStreamFinished()
{
    const Error streamError = m_stream ? m_stream->error() : Error();
    if (streamError.isError() && (!m_started || streamError.code() == Error::Code::Cancelled)) {
        finish(streamError);
        return;
    }
    // A daemon error inside the stream (a command it could not run) still has an exit code.
    m_error = streamError;
    readExitCode(0);
}

void ExecSession::readExitCode(int attempt)
{
    if (!m_client) {
        finish(Error(Error::Code::Cancelled,
                     QStringLiteral("Could not read the command's exit code"),
                     QStringLiteral("the engine is gone")));
        return;
    }
    m_client->call("GET", QStringLiteral("/exec/%1/json").arg(encoded(m_execId)), {},
                   QStringLiteral("Could not read the command's exit code"), m_calls,
                   [this, attempt](const Result<QByteArray> &result) {
                       if (!result) {
                           finish(m_error.isError() ? m_error : result.error());
                           return;
                       }
                       const QJsonObject inspect = QJsonDocument::fromJson(result.value()).object();
                       const QJsonValue code = inspect.value(QStringLiteral("ExitCode"));
                       if (inspect.value(QStringLiteral("Running")).toBool() || code.isNull()) {
                           if (attempt + 1 < kExitCodeAttempts) {
                               QTimer::singleShot(kRetryMs, m_calls,
                                                  [this, attempt]() { readExitCode(attempt + 1); });
                               return;
                           }
                           finish(Error(Error::Code::Timeout,
                                        QStringLiteral("Could not read the command's exit code"),
                                        QStringLiteral("the engine still reports it as running")));
                           return;
                       }
                       m_exitCode = code.toInt();
                       finish(m_error);
                   });
}

void ExecSession::finish(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    delete m_calls;
    m_calls = new QObject(this);
    emit finished();
}
