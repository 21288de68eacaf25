//! ABCI wire framing: each protobuf message is preceded by its length as an unsigned varint
//! (CometBFT ≥ 0.37, `protoio.NewDelimitedWriter`).
//!
//! The length prefix comes from whoever connected to the socket, so it is not trusted: a
//! prefix above the configured maximum is refused before anything is allocated, and below it
//! the body buffer grows only as bytes actually arrive (doubling, capped at the announced
//! length). A peer that announces 100 MB and sends 10 bytes costs 10 bytes, not 100 MB.

use prost::Message;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Default largest message accepted: above CometBFT's largest possible block (100 MB) with
/// room for protobuf overhead. A longer length prefix means a broken or hostile peer.
pub const MAX_MESSAGE_BYTES: u64 = 128 * 1024 * 1024;

/// First allocation for a message body; the buffer doubles from there as bytes arrive.
const INITIAL_BODY_CAPACITY: usize = 64 * 1024;

/// A framing or decoding failure.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The socket failed.
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
    /// The length prefix is not a valid varint or exceeds the limit.
    #[error("invalid message length: {0}")]
    Length(String),
    /// The message is not a valid protobuf `Request`.
    #[error("cannot decode message: {0}")]
    Decode(#[from] prost::DecodeError),
}

/// Reads one message of at most [`MAX_MESSAGE_BYTES`]; `Ok(None)` on a clean end of stream
/// before any byte of a message.
pub async fn read_message<M: Message + Default, R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> Result<Option<M>, CodecError> {
    read_message_limited(reader, MAX_MESSAGE_BYTES).await
}

/// Reads one message of at most `max_bytes`; `Ok(None)` on a clean end of stream before any
/// byte of a message. Never allocates more than `max_bytes` for the body, and never more than
/// twice what actually arrived (see the module docs).
pub async fn read_message_limited<M: Message + Default, R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max_bytes: u64,
) -> Result<Option<M>, CodecError> {
    Ok(read_frame_limited(reader, max_bytes).await?.map(|(message, _)| message))
}

/// [`read_message_limited`], with the length of the message's body in bytes.
pub async fn read_frame_limited<M: Message + Default, R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max_bytes: u64,
) -> Result<Option<(M, usize)>, CodecError> {
    let Some(length) = read_varint(reader).await? else {
        return Ok(None);
    };
    if length > max_bytes {
        return Err(CodecError::Length(format!(
            "{length} bytes exceeds the {max_bytes}-byte limit (a client that is not CometBFT 0.38, or a corrupt stream)"
        )));
    }
    let length = usize::try_from(length).map_err(|_| CodecError::Length(format!("{length} bytes")))?;
    let body = read_body(reader, length).await?;
    Ok(Some((M::decode(body.as_slice())?, length)))
}

/// Reads exactly `length` bytes, growing the buffer only as they arrive.
async fn read_body<R: AsyncBufRead + Unpin>(reader: &mut R, length: usize) -> Result<Vec<u8>, CodecError> {
    let mut body = Vec::with_capacity(length.min(INITIAL_BODY_CAPACITY));
    while body.len() < length {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Err(CodecError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the stream ended after {} of the {length} bytes its length prefix announced", body.len()),
            )));
        }
        let take = available.len().min(length - body.len());
        if body.capacity() - body.len() < take {
            // Double, but never past the announced (and already bounded) length.
            let target = body.capacity().saturating_mul(2).max(body.len() + take).min(length);
            body.reserve_exact(target - body.len());
        }
        body.extend_from_slice(&available[..take]);
        reader.consume(take);
    }
    Ok(body)
}

/// Writes one message (into the writer's buffer; the caller flushes).
pub async fn write_message<M: Message, W: AsyncWrite + Unpin>(writer: &mut W, message: &M) -> Result<(), CodecError> {
    let body = message.encode_to_vec();
    let mut prefix = Vec::with_capacity(10);
    prost::encoding::encode_varint(body.len() as u64, &mut prefix);
    writer.write_all(&prefix).await?;
    writer.write_all(&body).await?;
    Ok(())
}

/// Whether `buffer` starts with a whole frame (length prefix and body), so reading it takes no
/// waiting. A prefix that is not a valid varint counts as whole: reading it fails at once.
pub fn frame_is_buffered(buffer: &[u8]) -> bool {
    let mut length: u64 = 0;
    for (index, &byte) in buffer.iter().take(10).enumerate() {
        length |= u64::from(byte & 0x7F).checked_shl(7 * index as u32).unwrap_or(0);
        if byte & 0x80 == 0 {
            let body = &buffer[index + 1..];
            return usize::try_from(length).is_ok_and(|length| body.len() >= length);
        }
    }
    buffer.len() >= 10
}

/// Reads an unsigned LEB128 varint; `Ok(None)` at a clean end of stream.
async fn read_varint<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<Option<u64>, CodecError> {
    let mut value: u64 = 0;
    for index in 0..10u32 {
        let byte = {
            let available = reader.fill_buf().await?;
            match available.first() {
                Some(&b) => b,
                None if index == 0 => return Ok(None),
                None => return Err(CodecError::Io(std::io::ErrorKind::UnexpectedEof.into())),
            }
        };
        reader.consume(1);
        let bits = u64::from(byte & 0x7F);
        if index == 9 && bits > 1 {
            return Err(CodecError::Length("varint overflows 64 bits".into()));
        }
        value |= bits << (7 * index);
        if byte & 0x80 == 0 {
            return Ok(Some(value));
        }
    }
    Err(CodecError::Length("varint longer than 10 bytes".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tendermint_proto::v0_38::abci::{request, Request, RequestEcho};

    #[tokio::test]
    async fn round_trip_and_clean_eof() {
        let request = Request { value: Some(request::Value::Echo(RequestEcho { message: "hi".repeat(100) })) };
        let mut bytes = Vec::new();
        write_message(&mut bytes, &request).await.unwrap();
        write_message(&mut bytes, &request).await.unwrap();
        let mut reader = tokio::io::BufReader::new(bytes.as_slice());
        assert_eq!(read_message::<Request, _>(&mut reader).await.unwrap(), Some(request.clone()));
        assert_eq!(read_message::<Request, _>(&mut reader).await.unwrap(), Some(request));
        assert_eq!(read_message::<Request, _>(&mut reader).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_buffered_frame_is_one_whose_body_has_arrived() {
        let request = Request { value: Some(request::Value::Echo(RequestEcho { message: "x".repeat(300) })) };
        let mut bytes = Vec::new();
        write_message(&mut bytes, &request).await.unwrap();
        assert!(frame_is_buffered(&bytes));
        assert!(!frame_is_buffered(&bytes[..bytes.len() - 1]), "one body byte missing");
        assert!(!frame_is_buffered(&bytes[..1]), "half a two-byte prefix");
        assert!(!frame_is_buffered(&[]));
        assert!(frame_is_buffered(&[0]), "an empty message");
        assert!(frame_is_buffered(&[0xFF; 10]), "a prefix that can only fail");
    }

    #[tokio::test]
    async fn bad_frames_are_errors_not_panics() {
        // Oversized length.
        let mut bytes = Vec::new();
        prost::encoding::encode_varint(MAX_MESSAGE_BYTES + 1, &mut bytes);
        let mut reader = tokio::io::BufReader::new(bytes.as_slice());
        assert!(matches!(read_message::<Request, _>(&mut reader).await, Err(CodecError::Length(_))));
        // Truncated body.
        let mut reader = tokio::io::BufReader::new(&[5u8, 1, 2][..]);
        assert!(read_message::<Request, _>(&mut reader).await.is_err());
        // Garbage body.
        let mut reader = tokio::io::BufReader::new(&[3u8, 0xFF, 0xFF, 0xFF][..]);
        assert!(read_message::<Request, _>(&mut reader).await.is_err());
        // Endless varint.
        let mut reader = tokio::io::BufReader::new(&[0xFFu8; 12][..]);
        assert!(matches!(read_message::<Request, _>(&mut reader).await, Err(CodecError::Length(_))));
    }

    #[tokio::test]
    async fn the_configured_limit_is_enforced_and_bodies_may_span_many_reads() {
        let request = Request { value: Some(request::Value::Echo(RequestEcho { message: "x".repeat(300_000) })) };
        let mut bytes = Vec::new();
        write_message(&mut bytes, &request).await.unwrap();
        let encoded = bytes.len() as u64;
        // One byte under the message's size is refused; exactly its size is read, through a
        // small buffer that makes the body arrive in many pieces (and the buffer grow).
        let mut reader = tokio::io::BufReader::with_capacity(7, bytes.as_slice());
        let refused = read_message_limited::<Request, _>(&mut reader, encoded - 4).await;
        assert!(matches!(refused, Err(CodecError::Length(ref m)) if m.contains("limit")), "{refused:?}");
        let mut reader = tokio::io::BufReader::with_capacity(7, bytes.as_slice());
        let read = read_message_limited::<Request, _>(&mut reader, encoded).await.unwrap();
        assert_eq!(read, Some(request));
    }

    #[tokio::test]
    async fn a_short_body_says_how_much_arrived() {
        let mut bytes = Vec::new();
        prost::encoding::encode_varint(1_000_000, &mut bytes);
        bytes.extend_from_slice(&[0u8; 10]);
        let mut reader = tokio::io::BufReader::new(bytes.as_slice());
        let error = read_message::<Request, _>(&mut reader).await.unwrap_err().to_string();
        assert!(error.contains("after 10 of the 1000000 bytes"), "{error}");
    }
}
