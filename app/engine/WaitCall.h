#pragma once

#include "common/Result.h"

#include <QObject>
#include <QPointer>

class HttpReply;

// POST /containers/{id}/wait: `ready` once the engine has sent its headers (only then is it safe
// to start the container), `finished` when the container reached the condition.
class WaitCall : public QObject
{
    Q_OBJECT

public:
    explicit WaitCall(QObject *parent);

    bool isReady() const { return m_ready; }
    bool isFinished() const { return m_finished; }
    // The exit code, or why waiting failed.
    Result<qint64> result() const;

    void cancel();

    void bind(HttpReply *reply, const QString &what);
    void failBeforeStart(const Error &error);

signals:
    void ready();
    void finished();

private:
    void finish();

    QPointer<HttpReply> m_reply;
    QString m_what;
    QByteArray m_body;
    qint64 m_exitCode = -1;
    Error m_error;
    bool m_ready = false;
    bool m_finished = false;
};
