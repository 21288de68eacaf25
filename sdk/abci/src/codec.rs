//! ABCI wire framing: each protobuf message is preceded by its length as an unsigned varint
//! (CometBFT ≥ 0.37, `protoio.NewDelimitedWriter`).

use prost::Message;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted: above CometBFT's largest possible block (100 MB) with room for
/// protobuf overhead. A longer length prefix means a broken or hostile peer.
pub const MAX_MESSAGE_BYTES: u64 = 128 * 1024 * 1024;

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

/// Reads one message; `Ok(None)` on a clean end of stream before any byte of a message.
pub async fn read_message<M: Message + Default, R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> Result<Option<M>, CodecError> {
    let Some(length) = read_varint(reader).await? else {
        return Ok(None);
    };
    if length > MAX_MESSAGE_BYTES {
        return Err(CodecError::Length(format!("{length} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")));
    }
    let mut buffer = vec![0u8; usize::try_from(length).map_err(|_| CodecError::Length(length.to_string()))?];
    reader.read_exact(&mut buffer).await?;
    Ok(Some(M::decode(buffer.as_slice())?))
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
}
