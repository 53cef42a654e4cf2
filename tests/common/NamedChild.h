#pragma once

#include <QObject>

// GUI tests find widgets by objectName. A missing one is named in a warning, so the QVERIFY that
// follows says which.
template <typename T> T *child(QObject *parent, const char *name)
{
    T *object = parent->findChild<T *>(QLatin1String(name));
    if (!object)
        qWarning("no child named %s", name);
    return object;
}
