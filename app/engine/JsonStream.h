#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

class HttpReply;

// A response body made of JSON objects one after another (events, image pull progress).
class JsonStream : public QObject
{
    Q_OBJECT

public:
    explicit JsonStream(QObject *parent);

    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }
    void cancel();

    void bind(HttpReply *reply, const QString &what);
    void failBeforeStart(const Error &error);

signals:
    void started();
    void object(const QJsonObject &object);
    void finished();

private:
    void parseBuffered();
    void finish(const Error &error);

    QPointer<HttpReply> m_reply;
    QString m_what;
    QByteArray m_buffer;
    Error m_error;
    bool m_finished = false;
    bool m_cancelled = false;
};
