#pragma once

#include <QEventLoop>
#include <QString>
#include <QTextStream>

class Error;

// What every headless command gets: the global options, the output streams, and an event loop
// for asynchronous work (engine calls). A command either returns its exit code directly, or
// starts its work and returns exec(), calling finish(code) when the work is done.
class CliContext
{
public:
    CliContext();

    QString host;    // --host as given on the command line; empty when absent
    QTextStream out; // stdout
    QTextStream err; // stderr

    int exec();
    void finish(int code);

    // Prints the error's sentence to stderr and returns code (for `return ctx.fail(e, 1);`).
    int fail(const Error &error, int code);
    int usage(const QString &message); // one sentence to stderr, exit code 2

private:
    QEventLoop m_loop;
    int m_code = 0;
    bool m_finished = false;
};
