#include "Error.h"

#include <utility>

Error::Error(Code code, QString what, QString why, QString hint)
    : m_code(code), m_what(std::move(what)), m_why(std::move(why)), m_hint(std::move(hint))
{
}

Error &Error::withHttpStatus(int status)
{
    m_httpStatus = status;
    return *this;
}

Error &Error::withHint(const QString &hint)
{
    m_hint = hint;
    return *this;
}

Error &Error::withWhat(const QString &what)
{
    m_what = what;
    return *this;
}

static QString sentence(QString text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return text;
    if (!text.endsWith(QLatin1Char('.')) && !text.endsWith(QLatin1Char('?'))
        && !text.endsWith(QLatin1Char('!')))
        text += QLatin1Char('.');
    return text;
}

QString Error::message() const
{
    QString text = m_what.trimmed();
    const QString why = m_why.trimmed();
    if (!why.isEmpty())
        text = text.isEmpty() ? why : text + QStringLiteral(": ") + why;
    text = sentence(text);
    if (!m_hint.trimmed().isEmpty())
        text += QLatin1Char(' ') + sentence(m_hint);
    return text;
}
