#include "log/AttachRun.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"

AttachRun::AttachRun(DockerClient *client, const QString &id, QObject *parent)
    : DetachedRun(client, id, Launcher::State::Attaching, Errors::EndTheRun, parent)
{
}

ContainerStream *AttachRun::openStream(DockerClient *client)
{
    return client->attach(id(), true, true);
}

void AttachRun::streamStarted()
{
    if (m_rows > 0)
        resize(m_rows, m_columns);
}

void AttachRun::write(const QByteArray &bytes)
{
    if (stream() && state() == Launcher::State::Running)
        stream()->write(bytes);
}

void AttachRun::resize(int rows, int columns)
{
    m_rows = rows;
    m_columns = columns;
    if (!client() || state() != Launcher::State::Running || rows <= 0 || columns <= 0)
        return;
    client()->call(
        "POST", QStringLiteral("/containers/%1/resize?h=%2&w=%3").arg(id()).arg(rows).arg(columns),
        {}, tr("Could not resize the container's terminal"), this,
        [](const Result<QByteArray> &) {});
}
