#include "WaitCall.h"

#include "EngineError.h"
#include "http/HttpReply.h"

#include <QJsonDocument>
#include <QJsonObject>

WaitCall::WaitCall(QObject *parent) : QObject(parent) { }

Result<qint64> WaitCall::result() const
{
    if (m_error.isError())
        return m_error;
    return m_exitCode;
}

void WaitCall::bind(HttpReply *reply, const QString &what)
{
    m_reply = reply;
    m_what = what;
    connect(reply, &HttpReply::headReceived, this, [this, reply]() {
        if (reply->status() < 300 && !m_ready) {
            m_ready = true;
            emit ready();
        }
    });
    connect(reply, &HttpReply::dataReceived, this, [this](const QByteArray &data) {
        if (m_body.size() < 1024 * 1024)
            m_body.append(data);
    });
    connect(reply, &HttpReply::finished, this, [this, reply]() {
        if (reply->error().isError()) {
            m_error = reply->error();
            m_error.withWhat(m_what);
        } else if (reply->status() >= 300) {
            m_error = EngineError::fromResponse(m_what, reply->status(), m_body);
        } else {
            const QJsonObject o = QJsonDocument::fromJson(m_body).object();
            const QString message = o.value(QStringLiteral("Error")).toObject()
                                        .value(QStringLiteral("Message")).toString();
            if (!o.contains(QStringLiteral("StatusCode"))) {
                m_error = Error(Error::Code::Protocol, m_what,
                                QStringLiteral("the engine's answer has no exit code"));
            } else if (!message.isEmpty()) {
                m_error = EngineError::classify(m_what, message, reply->status());
            } else {
                m_exitCode = qint64(o.value(QStringLiteral("StatusCode")).toDouble());
            }
        }
        finish();
    });
}

void WaitCall::failBeforeStart(const Error &error)
{
    m_error = error;
    m_error.withWhat(m_what.isEmpty() ? error.what() : m_what);
    finish();
}

void WaitCall::cancel()
{
    if (m_finished)
        return;
    if (m_reply) {
        m_reply->abort();
        return;
    }
    m_error = Error(Error::Code::Cancelled, m_what, QStringLiteral("cancelled"));
    finish();
}

void WaitCall::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished();
}
