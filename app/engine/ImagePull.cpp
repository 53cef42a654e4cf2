#include "ImagePull.h"

#include "DockerClient.h"
#include "EngineError.h"
#include "JsonStream.h"

#include <QUrl>

ImagePull::ImagePull(DockerClient *client, QString reference, QObject *parent)
    : QObject(parent), m_client(client), m_reference(std::move(reference).trimmed())
{
}

ImagePull::~ImagePull()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->cancel();
        m_stream->deleteLater();
    }
}

QPair<QString, QString> ImagePull::splitReference(const QString &reference)
{
    if (reference.contains(QLatin1Char('@')))
        return {reference, QString()};
    // A colon after the last slash is the tag; one before it belongs to a registry's port.
    const qsizetype slash = reference.lastIndexOf(QLatin1Char('/'));
    const qsizetype colon = reference.lastIndexOf(QLatin1Char(':'));
    if (colon > slash)
        return {reference.left(colon), reference.mid(colon + 1)};
    return {reference, QStringLiteral("latest")};
}

void ImagePull::start()
{
    const QString what = QStringLiteral("Pulling %1").arg(m_reference);
    if (m_reference.isEmpty()) {
        finish(Error(Error::Code::Usage, what, QStringLiteral("no image given"),
                     QStringLiteral("Type the image to pull")));
        return;
    }
    const auto [image, tag] = splitReference(m_reference);
    QByteArray target = "/images/create?fromImage=" + QUrl::toPercentEncoding(image);
    if (!tag.isEmpty())
        target += "&tag=" + QUrl::toPercentEncoding(tag);
    HttpRequest request = HttpRequest::post(target);
    if (!m_registryAuth.isEmpty())
        request.addHeader("X-Registry-Auth", m_registryAuth);
    m_stream = m_client->jsonStream(request);
    connect(m_stream, &JsonStream::object, this, &ImagePull::onObject);
    connect(m_stream, &JsonStream::finished, this, [this, what]() {
        Error error = m_stream->error();
        m_stream->deleteLater();
        m_stream = nullptr;
        if (m_cancelled)
            error = Error(Error::Code::Cancelled, what, QStringLiteral("cancelled"));
        else if (!error.isError() && m_streamError.isError())
            error = m_streamError;
        else if (error.isError())
            error.withWhat(what);
        finish(error);
    });
}

void ImagePull::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_stream)
        m_stream->cancel();
    else
        finish(Error(Error::Code::Cancelled, QStringLiteral("Pulling %1").arg(m_reference),
                     QStringLiteral("cancelled")));
}

int ImagePull::layersDone() const
{
    int done = 0;
    for (const Layer &layer : m_layers)
        done += layer.done ? 1 : 0;
    return done;
}

void ImagePull::onObject(const QJsonObject &object)
{
    const QString message = object.value(QStringLiteral("errorDetail"))
                                .toObject()
                                .value(QStringLiteral("message"))
                                .toString(object.value(QStringLiteral("error")).toString());
    if (!message.isEmpty()) {
        m_streamError = EngineError::classify(QStringLiteral("Pulling %1").arg(m_reference),
                                              message, 0);
        return;
    }
    const QString status = object.value(QStringLiteral("status")).toString();
    const QString id = object.value(QStringLiteral("id")).toString();
    m_status = status;
    // Lines with an id are about one layer, except the first ("Pulling from repo", id = tag).
    if (!id.isEmpty() && !status.startsWith(QLatin1String("Pulling from"))) {
        Layer &layer = m_layers[id];
        const QJsonObject detail = object.value(QStringLiteral("progressDetail")).toObject();
        const qint64 current = detail.value(QStringLiteral("current")).toInteger(-1);
        const qint64 total = detail.value(QStringLiteral("total")).toInteger(-1);
        if (total > 0)
            layer.size = total;
        if (status == QLatin1String("Downloading") && current >= 0) {
            layer.downloaded = current;
        } else if (status == QLatin1String("Extracting") && current >= 0) {
            layer.downloaded = layer.size;
            layer.extracted = current;
        } else if (status == QLatin1String("Download complete")
                   || status == QLatin1String("Verifying Checksum")) {
            layer.downloaded = layer.size;
        } else if (status == QLatin1String("Pull complete")
                   || status == QLatin1String("Already exists")) {
            layer.downloaded = layer.extracted = layer.size;
            layer.done = true;
        }
        emit this->layer(id, status, current, total);
    }
    sum();
    emit progress(m_received, m_total, m_status);
}

// Each layer counts twice, once downloaded and once extracted: the engine reports both in
// compressed bytes, and a bar that stopped at 100 % while extracting would look stuck.
void ImagePull::sum()
{
    m_received = 0;
    m_total = 0;
    for (const Layer &layer : std::as_const(m_layers)) {
        m_received += qMin(layer.downloaded, layer.size) + qMin(layer.extracted, layer.size);
        m_total += 2 * layer.size;
    }
}

void ImagePull::finish(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    if (!error.isError()) {
        m_received = m_total;
        emit progress(m_received, m_total, m_status);
    }
    emit finished(m_error);
}
