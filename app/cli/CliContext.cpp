#include "CliContext.h"

#include "common/Error.h"

#include <cstdio>

CliContext::CliContext() : out(stdout), err(stderr) { }

int CliContext::exec()
{
    if (!m_finished)
        m_loop.exec();
    out.flush();
    err.flush();
    return m_code;
}

void CliContext::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    m_code = code;
    m_loop.quit();
}

int CliContext::fail(const Error &error, int code)
{
    out.flush();
    err << "gpudeck: " << error.message() << Qt::endl;
    return code;
}

int CliContext::usage(const QString &message)
{
    out.flush();
    err << "gpudeck: " << message << Qt::endl
        << "Run 'gpudeck --help' for the commands and their options." << Qt::endl;
    return 2;
}
