#pragma once

#include "EngineStream.h"

#include <QJsonObject>

// A response body made of JSON objects one after another (events, image pull progress).
class JsonStream : public EngineStream
{
    Q_OBJECT

public:
    JsonStream(const Endpoint &endpoint, QObject *parent);

    void bind(HttpReply *reply, const QString &what) override;

signals:
    void started();
    void object(const QJsonObject &object);

private:
    void parseBuffered();

    QByteArray m_buffer;
};
