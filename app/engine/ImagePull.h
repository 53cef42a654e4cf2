#pragma once

#include "common/Error.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

class DockerClient;
class JsonStream;

// Pulls one image (POST /images/create) and reports its progress as one figure: the bytes of
// every layer downloaded and extracted so far against their sizes, summed over the layers the
// engine reports (progressDetail current/total per layer id). Errors inside the stream, which
// arrive with status 200, become the Error of finished().
class ImagePull : public QObject
{
    Q_OBJECT

public:
    ImagePull(DockerClient *client, QString reference, QObject *parent = nullptr);
    ~ImagePull() override;

    // "registry:5000/repo:tag" -> {"registry:5000/repo", "tag"}; no tag means "latest"; a digest
    // reference stays whole with an empty tag.
    static QPair<QString, QString> splitReference(const QString &reference);

    const QString &reference() const { return m_reference; }
    // The X-Registry-Auth value to send (registry/RegistryCredential), before start(); empty:
    // anonymous. It goes in a header only, which app/http never logs.
    void setRegistryAuth(const QByteArray &value) { m_registryAuth = value; }
    void start();
    void cancel();
    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }
    qint64 received() const { return m_received; }
    qint64 total() const { return m_total; }
    int layerCount() const { return int(m_layers.size()); }
    int layersDone() const;

signals:
    // total is 0 while no layer size is known yet; status is the engine's latest line.
    void progress(qint64 received, qint64 total, const QString &status);
    // One layer's latest line ("Downloading", current and total bytes; -1 when not given).
    void layer(const QString &id, const QString &status, qint64 current, qint64 total);
    void finished(const Error &error);

private:
    struct Layer
    {
        qint64 downloaded = 0;
        qint64 extracted = 0;
        qint64 size = 0; // compressed size, as the engine reports while downloading
        bool done = false;
    };

    void onObject(const QJsonObject &object);
    void sum();
    void finish(const Error &error);

    DockerClient *m_client;
    QString m_reference;
    QByteArray m_registryAuth;
    QPointer<JsonStream> m_stream;
    QHash<QString, Layer> m_layers;
    Error m_streamError;
    Error m_error;
    QString m_status;
    qint64 m_received = 0;
    qint64 m_total = 0;
    bool m_finished = false;
    bool m_cancelled = false;
};
