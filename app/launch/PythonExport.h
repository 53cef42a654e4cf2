#pragma once

#include <QString>
#include <QStringList>

struct LaunchSpec;

// The launch as a runnable script for the Docker SDK for Python (python3-docker).
class PythonExport
{
public:
    static QString script(const LaunchSpec &spec, bool detach);
    // A Python string literal for text, ASCII only, for any text (quotes, backslashes, control
    // characters, non-BMP characters).
    static QString stringLiteral(const QString &text);
    static QString listLiteral(const QStringList &items);
};
