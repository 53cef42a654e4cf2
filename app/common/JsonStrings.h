#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QStringList>

// A JSON array of strings (the engine's Cmd, Env, Binds, ...) as a QStringList; anything else
// gives an empty list, and items that are not strings empty strings.
inline QStringList jsonStrings(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray array = value.toArray();
    list.reserve(array.size());
    for (const QJsonValue &item : array)
        list.append(item.toString());
    return list;
}
