'use strict';
/**
 * The object-storage server on the second port. Links are pre-signed by the API; this server checks
 * them the way S3-like storage does, answers errors as XML, and rejects any request that also carries
 * an Authorization header, so a client that leaks its API key to the storage host fails visibly.
 */
const { xmlError } = require('./http-util');
const { PPTX_MIME, fileName } = require('./pptx');

const ONE_AUTH_MESSAGE =
	'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';

function objectPath(objectId) {
	return `/files/${objectId}.pptx`;
}

/** `${objectKey}-${n}`: n is the 1-based file number within the job. */
function objectId(job, index) {
	return `${job.objectKey}-${index + 1}`;
}

function createStorageHandler({ variants, jobs, signer, pptx }) {
	return async function handleStorage(req, now = Date.now()) {
		if (req.headers.authorization !== undefined) {
			return xmlError(400, 'InvalidArgument', ONE_AUTH_MESSAGE, '<ArgumentName>Authorization</ArgumentName>');
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return xmlError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		}
		const url = new URL(req.url, 'http://storage.invalid');
		const match = /^\/files\/([0-9a-f]{32})-(\d+)\.pptx$/.exec(url.pathname);
		const path = url.pathname;
		const verdict = signer.verify(path, url.searchParams.get('expires'), url.searchParams.get('signature'), now);
		if (verdict === 'missing') {
			return xmlError(403, 'AccessDenied', 'Query-string authentication requires the expires and signature parameters.');
		}
		if (verdict === 'bad-signature') {
			return xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		if (verdict === 'expired') return xmlError(403, 'AccessDenied', 'Request has expired');
		const job = match && jobs.byObject(match[1]);
		const index = match ? Number(match[2]) - 1 : -1;
		if (!job || index < 0 || index >= jobs.fileCount(job) || jobs.observe(job, now).outcome !== 'completed') {
			return xmlError(404, 'NoSuchKey', 'The specified key does not exist.', `<Key>${path.slice(1)}</Key>`);
		}
		// The file is sent from memory as it is (shared, never copied per request).
		const body = await pptx.get(job, index, variants().fileSizeBytes);
		return {
			status: 200,
			headers: {
				'content-type': PPTX_MIME,
				'content-disposition': `attachment; filename="${fileName(job, index, variants().fileNameExtension)}"`,
				'cache-control': 'private, max-age=0',
			},
			body,
		};
	};
}

module.exports = { createStorageHandler, objectPath, objectId };
