#include "WaitCall.h"

#include "EngineError.h"
#include "http/HttpReply.h"

#include <QJsonDocument>
#include <QJsonObject>

WaitCall::WaitCall(const Endpoint &endpoint, QObject *parent) : EngineStream(endpoint, parent) { }

Result<qint64> WaitCall::result() const
{
    if (error().isError())
        return error();
    return m_exitCode;
}

void WaitCall::bind(HttpReply *reply, const QString &what)
{
    setReply(reply, what);
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
        if (const Error error = endError(reply, m_body); error.isError()) {
            finish(error);
        } else {
            const QJsonObject o = QJsonDocument::fromJson(m_body).object();
            const QString message = o.value(QStringLiteral("Error"))
                                        .toObject()
                                        .value(QStringLiteral("Message"))
                                        .toString();
            if (!o.contains(QStringLiteral("StatusCode"))) {
                finish(Error(Error::Code::Protocol, m_what,
                             QStringLiteral("the engine's answer has no exit code")));
            } else if (!message.isEmpty()) {
                finish(EngineError::classify(m_what, message, reply->status()));
            } else {
                m_exitCode = qint64(o.value(QStringLiteral("StatusCode")).toDouble());
                finish(Error());
            }
        }
    });
}
