#pragma once

#include "common/Result.h"

#include <QJsonArray>
#include <QString>
#include <QStringList>

// One `docker run --ulimit` value: NAME=SOFT[:HARD], -1 for unlimited (memlock=-1,
// stack=67108864, nofile=1024:2048), parsed the way the docker CLI parses it.
struct Ulimit
{
    QString name;
    qint64 soft = 0;
    qint64 hard = 0;

    static Result<Ulimit> parse(const QString &text);
    // HostConfig.Ulimits ({Name, Soft, Hard}) of the values that parse.
    static QJsonArray hostConfig(const QStringList &values);
};
